using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Rewards.Api.Infrastructure.Auth;

public static class AuthSetup
{
    public const string TokenPath = "/connect/token";

    public static IServiceCollection AddRewardsAuth(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section)
            .Validate(o => o.IsConfigured || environment.IsDevelopment(),
                "The operator's admin client is not configured: set Rewards:Admin:ClientId and Rewards:Admin:ClientSecret " +
                "(env Rewards__Admin__ClientId and Rewards__Admin__ClientSecret). Only Development may run without it.")
            .Validate(o => !o.IsConfigured || o.ClientSecret!.Length >= 16, "Rewards:Admin:ClientSecret must have at least 16 characters.")
            .ValidateOnStart();

        var auth = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var signingKey = SigningKey.Load(auth, environment);

        services.AddOpenIddict()
            .AddServer(o =>
            {
                o.SetTokenEndpointUris(TokenPath.TrimStart('/'));
                o.AllowClientCredentialsFlow();
                o.AllowCustomFlow(MemberGrant.Type);
                o.RegisterScopes([.. Scopes.Descriptions.Keys]);
                o.SetIssuer(new Uri(auth.Issuer));
                o.SetAccessTokenLifetime(auth.AccessTokenLifetime);
                // Redis is the only datastore: no token or authorization storage; clients are validated by our handler.
                o.EnableDegradedMode();
                o.DisableTokenStorage();
                o.DisableAuthorizationStorage();
                // Plain signed JWTs, validated locally by every instance holding the same key.
                o.DisableAccessTokenEncryption();
                o.AddEphemeralEncryptionKey();
                o.AddSigningKey(signingKey);
                // TLS terminates at the load balancer in front of the instances.
                o.UseAspNetCore().DisableTransportSecurityRequirement();
                o.AddEventHandler<ValidateTokenRequestContext>(b => b.UseSingletonHandler<ValidateTokenRequest>().SetOrder(int.MaxValue - 100_000));
                o.AddEventHandler<HandleTokenRequestContext>(b => b.UseSingletonHandler<HandleTokenRequest>());
                // Tokens live on real time even where the business clock is faked (tests).
                o.Configure(s => s.TimeProvider = TimeProvider.System);
            })
            .AddValidation(o =>
            {
                o.UseLocalServer();
                o.UseAspNetCore();
                o.AddAudiences(HandleTokenRequest.Audience);
                o.Configure(v => v.TimeProvider = TimeProvider.System);
            });

        services.AddSingleton(sp => new ValidatedTokenCache(TimeProvider.System));
        services.AddAuthentication(CachedTokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, CachedTokenAuthenticationHandler>(CachedTokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(o =>
        {
            foreach (var (name, scopes) in Policies.ScopesOf)
            {
                o.AddPolicy(name, p => p.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(scopes), ProgramAccessRequirement.Instance));
            }
        });
        services.AddSingleton<IAuthorizationHandler, ScopeHandler>();
        services.AddSingleton<IAuthorizationHandler, ProgramAccessHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, TenancyAuthorizationResultHandler>();
        services.AddRateLimiter(ConfigureRateLimiter);
        return services;
    }

    public static WebApplication UseRewardsAuth(this WebApplication app)
    {
        // The token endpoint is rate limited per address before OpenIddict answers it inside UseAuthentication (guessing
        // secrets, one Redis read per call); every other request after authentication, per client.
        app.UseWhen(IsTokenEndpoint, branch => branch.UseRateLimiter());
        app.UseAuthentication();
        app.UseWhen(context => !IsTokenEndpoint(context), branch => branch.UseRateLimiter());
        app.UseAuthorization();
        return app;
    }

    private static bool IsTokenEndpoint(HttpContext context) => context.Request.Path.StartsWithSegments(TokenPath);

    private static RateLimitPartition<string> Bucket(string key, int permitsPerSecond, int burst)
    {
        // Refill every 100 ms when the rate allows whole tokens that often (smoother), else once a second (exact).
        var fine = permitsPerSecond >= 10;
        return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = fine ? permitsPerSecond / 10 : permitsPerSecond,
            ReplenishmentPeriod = fine ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    /// <summary>One token bucket per client (per client and member for member tokens, per address without a token).</summary>
    private static void ConfigureRateLimiter(RateLimiterOptions options)
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
        {
            if (http.Request.Path.StartsWithSegments("/health") || http.Request.Path.StartsWithSegments("/swagger"))
            {
                return RateLimitPartition.GetNoLimiter("exempt");
            }
            var limits = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
            if (IsTokenEndpoint(http))
            {
                return Bucket($"token:{http.Connection.RemoteIpAddress}", limits.TokenPermitsPerSecond, limits.TokenBurst);
            }
            var user = http.User;
            var client = user.ClientIdOf();
            var key = client is null ? $"address:{http.Connection.RemoteIpAddress}"
                : user.IsMemberToken() ? $"member:{client}/{user.GetClaim(OpenIddictConstants.Claims.Subject)}"
                : $"client:{client}";
            return Bucket(key, limits.PermitsPerSecond, limits.Burst);
        });
        options.OnRejected = async (context, cancellationToken) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
            var http = context.HttpContext;
            http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status429TooManyRequests,
                    Title = "Too many requests",
                    Detail = $"The rate limit is exceeded; retry after {retryAfter} s.",
                },
            });
        };
    }
}
