using System.Net;
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

    /// <summary>Enqueues LedgerMigrationJob at start-up (programs written before ledger lists; a no-op once all are migrated).</summary>
    public bool MigrateStorageAtStart { get; set; } = true;

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

    /// <summary>Who may open the dashboard, as the start-up log and scripts/run say it.</summary>
    public static string DashboardAccess(bool development) => development
        ? "open without credentials to requests from this machine (loopback; Development only); from elsewhere, " +
          "HTTP Basic with the admin client id and secret or an admin bearer token; read-only"
        : "HTTP Basic with the admin client id and secret, or an admin bearer token; read-only";

    public static WebApplication UseRewardsJobs(this WebApplication app)
    {
        var development = app.Environment.IsDevelopment();
        app.Logger.LogInformation("Jobs dashboard at {Path}: {Access}.", DashboardPath, DashboardAccess(development));
        app.UseWhen(context => context.Request.Path.StartsWithSegments(DashboardPath), branch => branch.Use(GuardDashboard));
        app.UseHangfireDashboard(DashboardPath, new DashboardOptions
        {
            Authorization = [],
            AsyncAuthorization = [new OperatorDashboardAuthorization(app.Services.GetRequiredService<IOptions<AdminOptions>>(),
                app.Services.GetRequiredService<FailedAttempts>(), development)],
            // Jobs are managed through the API, which keeps its own records (perk schedules) in step with Hangfire's.
            IsReadOnlyFunc = _ => true,
            DisplayStorageConnectionString = false,
            DashboardTitle = "Rewards jobs",
        });
        return app;
    }

    /// <summary>
    /// Before the dashboard: never framed (clickjacking); a state-changing request from another site is refused (403) even
    /// with the operator's Basic credentials, which browsers send along by themselves; Basic guesses count as failed
    /// attempts, the token endpoint's budget (429 once spent).
    /// </summary>
    private static async Task GuardDashboard(HttpContext http, RequestDelegate next)
    {
        http.Response.Headers.XFrameOptions = "DENY";
        http.Response.Headers.ContentSecurityPolicy = "frame-ancestors 'none'";
        var method = http.Request.Method;
        if (!(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)) && IsCrossSite(http.Request))
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
                {
                    Status = StatusCodes.Status403Forbidden, Title = "Cross-site request refused",
                    Detail = "The jobs dashboard accepts state-changing requests only from its own pages.",
                },
            });
            return;
        }
        if (BasicCredentials.Parse(http.Request.Headers.Authorization.ToString()) is { } basic
            && http.RequestServices.GetRequiredService<FailedAttempts>().RefusalFor(http.Connection.RemoteIpAddress?.ToString(), basic.Id) is { } retryAfter)
        {
            await FailedAttempts.WriteRefusalAsync(http, retryAfter, $"Too many failed sign-ins; retry after {retryAfter} s.");
            return;
        }
        await next(http);
    }

    /// <summary>The browser says the request comes from another site (Sec-Fetch-Site), or its Origin or Referer is another host.</summary>
    private static bool IsCrossSite(HttpRequest request)
    {
        // Browsers set Sec-Fetch-Site themselves (no page can forge it); Origin and Referer are for browsers without it.
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0)
        {
            return fetchSite is not ("same-origin" or "none");
        }
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            return !Uri.TryCreate(origin, UriKind.Absolute, out var o) || !SameHost(o, request);
        }
        var referer = request.Headers.Referer.ToString();
        return referer.Length > 0 && (!Uri.TryCreate(referer, UriKind.Absolute, out var r) || !SameHost(r, request));
    }

    private static bool SameHost(Uri uri, HttpRequest request) =>
        string.Equals(uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}", request.Host.Value, StringComparison.OrdinalIgnoreCase)
        || string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The dashboard is the operator's: a bearer token with rewards.admin, or HTTP Basic with the admin client's id and secret
/// (so a browser can open it); in Development, local requests too. Wrong Basic credentials count as failed attempts.
/// </summary>
public sealed class OperatorDashboardAuthorization(IOptions<AdminOptions> admin, FailedAttempts attempts, bool allowLocalInDevelopment)
    : IDashboardAsyncAuthorizationFilter
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
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var operator_ = admin.Value;
        var basic = BasicCredentials.Parse(header);
        var valid = operator_.IsConfigured && basic is not null && basic.Id == operator_.ClientId
            && ClientStore.SecretsEqual(ClientStore.HashSecret(basic.Secret), ClientStore.HashSecret(operator_.ClientSecret!));
        if (valid)
        {
            attempts.Succeeded(basic!.Id);
        }
        else
        {
            attempts.Failed(http.Connection.RemoteIpAddress?.ToString(), basic?.Id);
        }
        return valid;
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
        jobs.AddOrUpdate<Features.Events.EventMaintenanceJob>("events:maintain", job => job.MaintainAllAsync(),
            Features.Events.EventMaintenanceJob.Cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
