using System.Net;
using System.Text;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.Redis.StackExchange;
using Microsoft.Extensions.Options;
using Rewards.Api.Features.Clients;
using Rewards.Api.Features.Leaderboards;
using Rewards.Api.Infrastructure.Auth;

namespace Rewards.Api.Infrastructure.Jobs;

public sealed class JobsOptions
{
    public const string Section = "Rewards:Jobs";

    /// <summary>Runs a Hangfire server in this process (default). API-only instances turn it off; jobs still queue.</summary>
    public bool Server { get; set; } = true;

    /// <summary>Registers the recurring jobs (window closing, ...) at start-up.</summary>
    public bool RegisterRecurringJobs { get; set; } = true;
}

/// <summary>Hangfire on the same Redis, its keys under their own hash tag so its transactions stay on one cluster slot.</summary>
public static class JobsSetup
{
    public const string DashboardPath = "/hangfire";
    public const string KeyPrefix = "{rewards-jobs}:";

    public static IServiceCollection AddRewardsJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section);
        services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseRedisStorage(sp.GetRequiredService<IConnectionMultiplexer>(), new RedisStorageOptions { Prefix = KeyPrefix }));
        var options = configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        if (options.Server)
        {
            services.AddHangfireServer(o => o.WorkerCount = Math.Max(2, Environment.ProcessorCount));
        }
        if (options.RegisterRecurringJobs)
        {
            services.AddHostedService<RecurringJobsRegistration>();
        }
        return services;
    }

    public static WebApplication UseRewardsJobs(this WebApplication app)
    {
        app.UseHangfireDashboard(DashboardPath, new DashboardOptions
        {
            Authorization = [],
            AsyncAuthorization = [new OperatorDashboardAuthorization(app.Services.GetRequiredService<IOptions<AdminOptions>>(), app.Environment.IsDevelopment())],
            DisplayStorageConnectionString = false,
            DashboardTitle = "Rewards jobs",
        });
        return app;
    }
}

/// <summary>
/// The dashboard is the operator's: a bearer token with rewards.admin, or HTTP Basic with the admin client's id and secret
/// (so a browser can open it); in Development, local requests too.
/// </summary>
public sealed class OperatorDashboardAuthorization(IOptions<AdminOptions> admin, bool allowLocalInDevelopment) : IDashboardAsyncAuthorizationFilter
{
    public Task<bool> AuthorizeAsync(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var allowed = http.User.IsAdmin() || HasOperatorBasicCredentials(http) || (allowLocalInDevelopment && IsLocal(http));
        if (!allowed)
        {
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"Rewards jobs\", charset=\"UTF-8\"";
        }
        return Task.FromResult(allowed);
    }

    private bool HasOperatorBasicCredentials(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var operator_ = admin.Value;
        if (!operator_.IsConfigured || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = pair.IndexOf(':');
            return colon > 0 && pair[..colon] == operator_.ClientId
                && ClientStore.SecretsEqual(ClientStore.HashSecret(pair[(colon + 1)..]), ClientStore.HashSecret(operator_.ClientSecret!));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool IsLocal(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } remote && (IPAddress.IsLoopback(remote) || remote.Equals(http.Connection.LocalIpAddress));
}

/// <summary>Registers (or updates) the recurring jobs once the host starts.</summary>
public sealed class RecurringJobsRegistration(IRecurringJobManager jobs) : IHostedService
{
    /// <summary>Periods end at local midnights; every quarter hour covers every zone's offset (…:00, :30, :45).</summary>
    public const string WindowCloseCron = "*/15 * * * *";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var kind in LeaderboardWindow.Periodic)
        {
            jobs.AddOrUpdate<WindowCloseJob>($"leaderboards:close-{LeaderboardWindow.Name(kind)}", job => job.CloseAllAsync(kind), WindowCloseCron,
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
