using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Hangfire.AspNetCore;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Rewards.Tests.Infrastructure;

/// <summary>
/// One API per test run, against the real redis-server that scripts/test starts (ConnectionStrings__Redis).
/// Tests own their data through unique program ids; the business clock is a fake each test sets when time matters
/// (<see cref="Clock"/>). Tokens and Hangfire's schedules run on real time, as in production.
/// </summary>
public class RewardsApiFactory : WebApplicationFactory<Program>
{
    public const string AdminClientId = "test-operator";
    public const string AdminClientSecret = "test-operator-secret-0123456789";
    public static readonly DateTimeOffset DefaultNow = new(2026, 11, 18, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Ahead of both the fake clock and the real one Hangfire schedules by: a perk scheduled then never runs during the tests.</summary>
    public static readonly DateTimeOffset FarFuture = DefaultNow.AddYears(10);

    /// <summary>One signing key per test process, as a deployment shares one key file between its instances.</summary>
    public static readonly string SigningKeyPath = Path.Combine(Path.GetTempPath(), $"rewards-tests-{Environment.ProcessId}", "signing-key.pem");

    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private (string Token, DateTimeOffset At)? _adminToken;

    private readonly CurrentFakeClock _appClock;

    public RewardsApiFactory() => _appClock = new CurrentFakeClock(this);

    /// <summary>
    /// The fake clock the API reads: move it forward with <c>Advance</c>, set it with <see cref="SetUtcNow"/>. A
    /// <see cref="FakeTimeProvider"/> never goes back, while the tests share one API and each starts at its own instant.
    /// </summary>
    public FakeTimeProvider Clock { get; private set; } = new(DefaultNow);

    /// <summary>Sets the API's clock: moves it forward, or starts a new fake clock at an earlier instant.</summary>
    public void SetUtcNow(DateTimeOffset value)
    {
        if (value >= Clock.GetUtcNow())
        {
            Clock.SetUtcNow(value);
        }
        else
        {
            Clock = new FakeTimeProvider(value);
        }
    }

    public IConnectionMultiplexer Redis => Services.GetRequiredService<IConnectionMultiplexer>();

    /// <summary>
    /// Hangfire keeps process-wide state: every host built in this process installs its own logger factory as Hangfire's
    /// log provider, including the short-lived second instances some tests start (AuthTests). Once such a host is
    /// disposed, creating any Hangfire component (a job client, a job's state change) throws ObjectDisposedException;
    /// each test therefore points Hangfire back at this shared API's logger factory and job storage.
    /// </summary>
    public void RestoreHangfireGlobals()
    {
        GlobalConfiguration.Configuration.UseLogProvider(new AspNetCoreLogProvider(Services.GetRequiredService<ILoggerFactory>()));
        JobStorage.Current = Services.GetRequiredService<JobStorage>();
    }

    /// <summary>
    /// The keys matching <paramref name="pattern"/> on every primary: one server in plain mode, every node of a
    /// Redis Cluster (scripts/test --cluster), where keys live on the node that owns their slot.
    /// </summary>
    public async Task<List<string>> KeysAsync(string pattern)
    {
        var keys = new List<string>();
        foreach (var server in Redis.GetServers().Where(s => !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(pattern: pattern))
            {
                keys.Add(key.ToString());
            }
        }
        return keys;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_appClock));
    }

    public static IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Rewards:Admin:ClientId"] = AdminClientId,
        ["Rewards:Admin:ClientSecret"] = AdminClientSecret,
        ["Rewards:Auth:SigningKeyPath"] = SigningKeyPath,
        ["Rewards:Auth:CreateSigningKey"] = "true",
        ["Rewards:Auth:Issuer"] = "https://rewards.test/",
        // Functional tests fire hundreds of concurrent requests from one client; the rate limit test sets its own.
        ["Rewards:RateLimit:PermitsPerSecond"] = "100000",
        ["Rewards:RateLimit:Burst"] = "100000",
        ["Rewards:RateLimit:TokenPermitsPerSecond"] = "100000",
        ["Rewards:RateLimit:TokenBurst"] = "100000",
        // Every test signs in from the same (test server) address; the per-address sign-in budget test sets its own.
        ["Rewards:People:AddressFailureBurst"] = "100000",
        // Tests run job classes directly, at the instants they choose; no cron firing in the middle of a test.
        ["Rewards:Jobs:RegisterRecurringJobs"] = "false",
        // Tests that play a program written before ledger lists run LedgerMigrationJob themselves, when they choose.
        ["Rewards:Jobs:MigrateStorageAtStart"] = "false",
        // Live-stream tests wait for a heartbeat: half a second rather than 15.
        ["Rewards:Events:HeartbeatInterval"] = "00:00:00.500",
        // Webhook tests deliver to receivers on loopback over http (one test checks the refusal without this allowance).
        ["Rewards:Webhooks:AllowHttp"] = "true",
        ["Rewards:Webhooks:AllowPrivateNetworks"] = "true",
        ["Rewards:Webhooks:PollInterval"] = "00:00:00.020",
    };

    /// <summary>A real token from the token endpoint; throws with the OAuth2 error when refused.</summary>
    public async Task<string> TokenAsync(string clientId, string secret, string? scope = null, string grantType = "client_credentials",
        string? memberId = null)
    {
        var (status, body) = await RequestTokenAsync(clientId, secret, scope, grantType, memberId);
        Assert.True(status == System.Net.HttpStatusCode.OK, $"token request refused: {body}");
        return body.GetProperty("access_token").GetString()!;
    }

    public async Task<(System.Net.HttpStatusCode Status, JsonElement Body)> RequestTokenAsync(string clientId, string secret,
        string? scope = null, string grantType = "client_credentials", string? memberId = null)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = grantType, ["client_id"] = clientId, ["client_secret"] = secret };
        if (scope is not null)
        {
            form["scope"] = scope;
        }
        if (memberId is not null)
        {
            form["member_id"] = memberId;
        }
        using var http = CreateClient();
        var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(form));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>The operator's admin token, fetched once and renewed well before it expires.</summary>
    public async Task<string> AdminTokenAsync()
    {
        await _tokenLock.WaitAsync();
        try
        {
            if (_adminToken is not { } cached || DateTimeOffset.UtcNow - cached.At > TimeSpan.FromMinutes(5))
            {
                _adminToken = cached = (await TokenAsync(AdminClientId, AdminClientSecret), DateTimeOffset.UtcNow);
            }
            return cached.Token;
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    public HttpClient CreateClient(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The API's TimeProvider (a singleton its services keep): whatever <see cref="Clock"/> is now.</summary>
    private sealed class CurrentFakeClock(RewardsApiFactory factory) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => factory.Clock.GetUtcNow();

        public override TimeZoneInfo LocalTimeZone => factory.Clock.LocalTimeZone;

        public override long TimestampFrequency => factory.Clock.TimestampFrequency;

        public override long GetTimestamp() => factory.Clock.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            factory.Clock.CreateTimer(callback, state, dueTime, period);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ApiCollection : ICollectionFixture<RewardsApiFactory>
{
    public const string Name = "api";
}
