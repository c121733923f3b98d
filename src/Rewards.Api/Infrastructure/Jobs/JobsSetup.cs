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

    // A job whose process dies (kill -9, OOM, a lost node) stays "fetched" in Redis. Hangfire.Redis.StackExchange puts
    // it back in its queue on a pass of its fetched-jobs watcher (one pass when a server starts, then one a minute on
    // every server) once its server is gone: removed by a watchdog after ServerTimeout without a heartbeat. Hangfire's
    // defaults (heartbeat 30 s, timeout 5 min, watchdog every 5 min) leave a crashed grant run waiting up to ~11 min;
    // these leave it ~1 to 2.5 min. See docs/reliability.md.

    /// <summary>How often this server records its heartbeat (Hangfire's default: 30 s).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A server without a heartbeat for this long is considered dead and removed; the jobs it was running are re-queued
    /// by the next watcher pass (Hangfire's default: 5 min). At least 3 heartbeats: a live server that is removed keeps
    /// working, but Hangfire.Redis.StackExchange 1.12 does not announce it again, so a job it is running when a watcher
    /// passes is re-queued and runs twice (every job here is idempotent: a grant run resumes from its cursor).
    /// </summary>
    public TimeSpan ServerTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often each server looks for dead servers (Hangfire's default: 5 min).</summary>
    public TimeSpan ServerCheckInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often scheduled ("at") and recurring (cron) jobs due are enqueued: how late they may start (Hangfire's default, 15 s).</summary>
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A job fetched longer ago than this is re-queued even though its server is alive, so it must exceed the longest
    /// job (a grant run of 1M members takes under a minute). Hangfire.Redis.StackExchange's default, 30 min.
    /// </summary>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(30);
}

/// <summary>Hangfire on the same Redis, its keys under their own hash tag so its transactions stay on one cluster slot.</summary>
public static class JobsSetup
{
    public const string DashboardPath = "/hangfire";
    public const string KeyPrefix = "{rewards-jobs}:";

    public static IServiceCollection AddRewardsJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section)
            .Validate(o => new[] { o.HeartbeatInterval, o.ServerCheckInterval, o.SchedulePollingInterval, o.InvisibilityTimeout }
                .All(t => t > TimeSpan.Zero),
                "Rewards:Jobs: HeartbeatInterval, ServerCheckInterval, SchedulePollingInterval and InvisibilityTimeout must be positive.")
            .Validate(o => o.ServerTimeout >= 3 * o.HeartbeatInterval,
                "Rewards:Jobs:ServerTimeout must be at least 3 heartbeats (HeartbeatInterval), or live servers are taken for dead.")
            .ValidateOnStart();
        services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseRedisStorage(sp.GetRequiredService<IConnectionMultiplexer>(), new RedisStorageOptions
            {
                Prefix = KeyPrefix,
                InvisibilityTimeout = sp.GetRequiredService<IOptions<JobsOptions>>().Value.InvisibilityTimeout,
            }));
        var options = configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        if (options.Server)
        {
            services.AddHangfireServer((sp, o) =>
            {
                var jobs = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
                o.WorkerCount = Math.Max(2, Environment.ProcessorCount);
                o.HeartbeatInterval = jobs.HeartbeatInterval;
                o.ServerTimeout = jobs.ServerTimeout;
                o.ServerCheckInterval = jobs.ServerCheckInterval;
                o.SchedulePollingInterval = jobs.SchedulePollingInterval;
            });
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
