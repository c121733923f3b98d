namespace Rewards.Api.Infrastructure.Redis;

public static class RedisSetup
{
    public const string ConnectionName = "Redis";

    private const int ReconnectIntervalMs = 500;

    public static IServiceCollection AddRewardsRedis(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(ConnectionName) ?? "localhost:6379";
        services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            var options = ConfigurationOptions.Parse(connectionString);
            // Start even while Redis is down and reconnect by itself; requests fail fast with 503 meanwhile.
            options.AbortOnConnectFail = false;
            // While disconnected, fail commands at once (RedisConnectionException: 503 with Retry-After) instead of queueing
            // them until their timeout: requests would hang for seconds, and a queued award could still run after its
            // client gave up. Clients retry with their Idempotency-Key (see docs/reliability.md).
            options.BacklogPolicy = BacklogPolicy.FailFast;
            // Try to reconnect on every heartbeat (1 s) rather than backing off exponentially, so that awards resume
            // about a second after Redis is back, whatever the length of the outage.
            options.ReconnectRetryPolicy = new LinearRetry(ReconnectIntervalMs);
            options.ClientName ??= "rewards-api";
            return ConnectionMultiplexer.Connect(options);
        });
        services.AddSingleton<RewardsScripts>();
        return services;
    }
}
