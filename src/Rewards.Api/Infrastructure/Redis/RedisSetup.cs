namespace Rewards.Api.Infrastructure.Redis;

public static class RedisSetup
{
    public const string ConnectionName = "Redis";

    public static IServiceCollection AddRewardsRedis(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(ConnectionName) ?? "localhost:6379";
        services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            var options = ConfigurationOptions.Parse(connectionString);
            // Start even while Redis is down and reconnect by itself; requests fail fast with 503 meanwhile.
            options.AbortOnConnectFail = false;
            options.ClientName ??= "rewards-api";
            return ConnectionMultiplexer.Connect(options);
        });
        services.AddSingleton<RewardsScripts>();
        return services;
    }
}
