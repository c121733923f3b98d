using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Rewards.Client;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IRewardsApiClient"/> as a typed <see cref="HttpClient"/>: every write gets an Idempotency-Key
    /// (kept across retries), failed calls are retried (network errors, 408, 429 and 5xx, honouring Retry-After; exponential
    /// with jitter), and calls carry this backend's client-credentials token, fetched through discovery and renewed before it
    /// expires. Returns the builder, e.g. to set the primary handler.
    /// </summary>
    public static IHttpClientBuilder AddRewardsClient(this IServiceCollection services, Action<RewardsClientOptions> configure)
    {
        services.Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RewardsTokenProvider>();
        services.TryAddTransient<IdempotencyKeyHandler>();
        services.TryAddTransient<RewardsAuthenticationHandler>();
        services.AddHttpClient(RewardsTokenProvider.HttpClientName);
        var builder = services.AddHttpClient<IRewardsApiClient, RewardsApiClient>((sp, http) =>
        {
            var o = sp.GetRequiredService<IOptions<RewardsClientOptions>>().Value;
            http.BaseAddress = o.BaseAddress ?? throw new InvalidOperationException("RewardsClientOptions.BaseAddress is not set.");
        });
        builder.AddHttpMessageHandler<IdempotencyKeyHandler>();
        builder.AddResilienceHandler("rewards-retry", (pipeline, context) =>
        {
            var o = context.ServiceProvider.GetRequiredService<IOptions<RewardsClientOptions>>().Value;
            if (o.MaxRetries > 0)
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = o.MaxRetries,
                    Delay = o.RetryDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    ShouldRetryAfterHeader = true,
                });
            }
        });
        builder.AddHttpMessageHandler<RewardsAuthenticationHandler>();
        return builder;
    }

    /// <summary>Uses <paramref name="handler"/> under both the API client and the token client (tests, custom transports).</summary>
    public static IHttpClientBuilder UseRewardsPrimaryHandler(this IHttpClientBuilder builder, Func<HttpMessageHandler> handler)
    {
        builder.Services.AddHttpClient(RewardsTokenProvider.HttpClientName).ConfigurePrimaryHttpMessageHandler(handler);
        return builder.ConfigurePrimaryHttpMessageHandler(handler);
    }
}
