using System.Collections.Concurrent;
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

    /// <summary>The default authentication scheme: forwards to the bearer scheme, or to the session scheme for a cookie.</summary>
    public const string CallerScheme = "rewards-caller";

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
                o.AddEventHandler<HandleConfigurationRequestContext>(b => b.UseSingletonHandler<DiscoveryFromIssuer>().SetOrder(int.MaxValue - 100_000));
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
        services.AddSingleton<RevocationList>();
        services.AddHostedService<RevocationPoller>();
        services.AddSingleton<FailedAttempts>();
        services.AddSingleton<MemberAggregates>();
        services.AddSingleton<SessionCookie>();
        // Bearer tokens, or (on /v1 without an Authorization header) the console's session cookie: one default scheme picks per
        // request. The jobs dashboard keeps its own credentials (admin token or Basic).
        services.AddAuthentication(CallerScheme)
            .AddPolicyScheme(CallerScheme, "Bearer token or console session", o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.Count == 0 && http.Request.Path.StartsWithSegments("/v1")
                && http.Request.Cookies.ContainsKey(http.RequestServices.GetRequiredService<SessionCookie>().Name)
                    ? SessionAuthenticationHandler.SchemeName : CachedTokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, CachedTokenAuthenticationHandler>(CachedTokenAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(o =>
        {
            foreach (var (name, scopes) in Policies.ScopesOf)
            {
                o.AddPolicy(name, p => p.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(scopes), ProgramAccessRequirement.Instance));
            }
            o.AddPolicy(Policies.Person, p => p.RequireAuthenticatedUser().AddRequirements(PersonRequirement.Instance));
        });
        services.AddSingleton<IAuthorizationHandler, ScopeHandler>();
        services.AddSingleton<IAuthorizationHandler, ProgramAccessHandler>();
        services.AddSingleton<IAuthorizationHandler, PersonHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, TenancyAuthorizationResultHandler>();
        services.AddRateLimiter(ConfigureRateLimiter);
        return services;
    }

    public static WebApplication UseRewardsAuth(this WebApplication app)
    {
        // The token endpoint counts failed secret checks per address and per client id (FailedAttempts), refusing before
        // OpenIddict answers inside UseAuthentication; every other request is rate limited after authentication, per client.
        app.UseWhen(IsTokenEndpoint, branch => branch.Use(RefuseWhileGuessedAt));
        app.UseAuthentication();
        app.Use(SessionAuthenticationHandler.RequireCsrfToken);
        app.Use(MemberSelf.ResolveMe);
        app.UseWhen(context => !IsTokenEndpoint(context), branch => branch.UseRateLimiter());
        app.UseAuthorization();
        return app;
    }

    private static bool IsTokenEndpoint(HttpContext context) => context.Request.Path.StartsWithSegments(TokenPath);

    private static async Task RefuseWhileGuessedAt(HttpContext http, RequestDelegate next)
    {
        if (HttpMethods.IsPost(http.Request.Method))
        {
            var clientId = BasicCredentials.Parse(http.Request.Headers.Authorization.ToString(), urlEncoded: true)?.Id;
            if (clientId is null && http.Request.HasFormContentType)
            {
                clientId = (await http.Request.ReadFormAsync(http.RequestAborted))["client_id"].ToString();
            }
            var attempts = http.RequestServices.GetRequiredService<FailedAttempts>();
            var address = http.Connection.RemoteIpAddress?.ToString();
            if (attempts.RefusalFor(address, clientId) is { } retryAfter)
            {
                await FailedAttempts.WriteRefusalAsync(http, retryAfter,
                    $"Too many failed client authentications from this address or for this client id; retry after {retryAfter} s.");
                return;
            }
            await next(http);
            // OpenIddict answers invalid_client (unknown client, wrong secret, revoked) with 401, and only that.
            if (http.Response.StatusCode == StatusCodes.Status401Unauthorized)
            {
                attempts.Failed(address, clientId);
            }
            else if (http.Response.StatusCode == StatusCodes.Status200OK && !string.IsNullOrEmpty(clientId))
            {
                attempts.Succeeded(clientId);
            }
            return;
        }
        await next(http);
    }

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
            var user = http.User;
            var client = user.ClientIdOf();
            if (user.PersonOf() is { } person)
            {
                return Bucket($"person:{person}", limits.PermitsPerSecond, limits.Burst);
            }
            if (client is not null && user.IsMemberToken())
            {
                // The member's own bucket, and its issuing client's aggregate: minting more member tokens buys no throughput.
                var aggregate = http.RequestServices.GetRequiredService<MemberAggregates>().Of(client);
                return RateLimitPartition.Get($"member:{client}/{user.GetClaim(OpenIddictConstants.Claims.Subject)}",
                    key => new BothLimiter(Bucket(key, limits.PermitsPerSecond, limits.Burst).Factory(key), aggregate));
            }
            var key = client is null ? $"address:{http.Connection.RemoteIpAddress}" : $"client:{client}";
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

/// <summary>One token bucket per client shared by all the member tokens it issued (MemberAggregatePermitsPerSecond/Burst).</summary>
public sealed class MemberAggregates(IOptions<RateLimitOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<string, RateLimiter> _byClient = new(StringComparer.Ordinal);

    public RateLimiter Of(string clientId) => _byClient.GetOrAdd(clientId, _ =>
    {
        var limits = options.Value;
        var fine = limits.MemberAggregatePermitsPerSecond >= 10;
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.MemberAggregateBurst,
            TokensPerPeriod = fine ? limits.MemberAggregatePermitsPerSecond / 10 : limits.MemberAggregatePermitsPerSecond,
            ReplenishmentPeriod = fine ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    });

    public void Dispose()
    {
        foreach (var limiter in _byClient.Values)
        {
            limiter.Dispose();
        }
    }
}

/// <summary>A member token's partition: its own bucket first, then its client's shared aggregate (not owned: never disposed here).</summary>
public sealed class BothLimiter(RateLimiter own, RateLimiter shared) : RateLimiter
{
    public override TimeSpan? IdleDuration => own.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => own.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        var first = own.AttemptAcquire(permitCount);
        if (!first.IsAcquired)
        {
            return first;
        }
        first.Dispose();
        return shared.AttemptAcquire(permitCount);
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            own.Dispose();
        }
    }
}
