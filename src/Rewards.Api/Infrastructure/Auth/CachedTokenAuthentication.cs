using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;

namespace Rewards.Api.Infrastructure.Auth;

/// <summary>What revocation checks need of a validated token, read once when it is first validated.</summary>
public sealed record TokenFacts(string? ProgramId, string? ClientId, string? MemberId, long IssuedAtMs);

/// <summary>
/// Remembers access tokens that OpenIddict validation accepted, until they expire. A token string that validated once
/// validates the same way until its expiry, so repeat calls skip signature checking and OpenIddict's per-request pipeline;
/// revocation is checked on every call, against the in-memory <see cref="RevocationList"/>. Unknown or failed tokens always
/// go to OpenIddict.
/// </summary>
public sealed class ValidatedTokenCache(TimeProvider clock)
{
    public const int MaxEntries = 20_000;
    private readonly ConcurrentDictionary<string, (AuthenticationTicket Ticket, TokenFacts Facts, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);

    public bool TryGet(string token, out AuthenticationTicket ticket, out TokenFacts facts)
    {
        if (_entries.TryGetValue(token, out var entry))
        {
            if (entry.Expires > clock.GetUtcNow())
            {
                (ticket, facts) = (entry.Ticket, entry.Facts);
                return true;
            }
            _entries.TryRemove(token, out _);
        }
        (ticket, facts) = (null!, null!);
        return false;
    }

    public void Remember(string token, AuthenticationTicket ticket, TokenFacts facts, DateTimeOffset expires)
    {
        if (_entries.Count >= MaxEntries)
        {
            var now = clock.GetUtcNow();
            foreach (var (key, value) in _entries)
            {
                if (value.Expires <= now)
                {
                    _entries.TryRemove(key, out _);
                }
            }
            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }
        }
        _entries[token] = (ticket, facts, expires);
    }
}

/// <summary>
/// The default authentication scheme: the cache first, OpenIddict validation for anything not in it; then the token must
/// carry <c>exp</c>, must not start (<c>nbf</c>) in the future beyond a small skew, and must not be revoked.
/// </summary>
public sealed class CachedTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ValidatedTokenCache cache,
    RevocationList revocations)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "rewards-bearer";
    private static readonly TimeSpan MaxCacheTime = TimeSpan.FromMinutes(15);
    private const string RefusalItem = "rewards:token-refusal";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header[7..].Trim() is not { Length: > 0 } token)
        {
            return Refuse("invalid_request", "The Authorization header must be 'Bearer <access token>'.");
        }
        if (!cache.TryGet(token, out var ticket, out var facts))
        {
            var result = await Context.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
            if (result is not { Succeeded: true, Principal: { } principal })
            {
                if (result.Failure is not null)
                {
                    Context.Items[ReasonItem] = Explain(result.Properties?.GetString(OpenIddictValidationAspNetCoreConstants.Properties.ErrorDescription));
                }
                return result;
            }
            var now = TimeProvider.System.GetUtcNow();
            var jwt = new JsonWebToken(token);
            if (!jwt.TryGetPayloadValue<long>("exp", out _))
            {
                return Refuse("invalid_token", "The token has no expiry (exp).");
            }
            if (jwt.TryGetPayloadValue<long>("nbf", out var notBefore) && DateTimeOffset.FromUnixTimeSeconds(notBefore) > now + AuthOptions.NotBeforeSkew)
            {
                return Refuse("invalid_token", "The token is not valid yet (nbf).");
            }
            var issuedAt = jwt.TryGetPayloadValue<long>("iat", out var iat) ? iat * 1000 : 0;
            facts = new TokenFacts(principal.ProgramOf(), principal.ClientIdOf(),
                principal.IsMemberToken() ? principal.GetClaim(OpenIddictConstants.Claims.Subject) : null, issuedAt);
            if (facts.ProgramId is not null)
            {
                await revocations.TrackAsync(facts.ProgramId);
            }
            var expires = principal.GetExpirationDate() ?? result.Properties?.ExpiresUtc ?? now;
            ticket = new AuthenticationTicket(principal, result.Properties, SchemeName);
            cache.Remember(token, ticket, facts, expires < now + MaxCacheTime ? expires : now + MaxCacheTime);
        }
        if (facts.ProgramId is { } program && revocations.IsRevoked(program, facts.ClientId, facts.MemberId, facts.IssuedAtMs))
        {
            return Refuse("invalid_token", "The token was revoked (its client was revoked, or its member suspended or erased).");
        }
        return AuthenticateResult.Success(ticket);
    }

    private const string ReasonItem = "rewards:token-refusal-reason";

    /// <summary>Why this request's token was refused, in words for the 401 problem's detail (null: no token was refused).</summary>
    public static string? RefusalOf(HttpContext http) => http.Items[ReasonItem] as string;

    /// <summary>Records why a credential (a session cookie) was refused, for the 401 problem's detail.</summary>
    public static void SetRefusal(HttpContext http, string reason) => http.Items[ReasonItem] = reason;

    /// <summary>OpenIddict's description of a refused token, led by the cause an integrator can act on.</summary>
    private static string Explain(string? description)
    {
        var text = description ?? "";
        var cause = text switch
        {
            _ when text.Contains("no longer valid", StringComparison.OrdinalIgnoreCase) || text.Contains("expired", StringComparison.OrdinalIgnoreCase)
                => "The access token has expired; request a new one.",
            _ when text.Contains("audience", StringComparison.OrdinalIgnoreCase)
                => "The access token was not issued for this API (wrong audience).",
            _ when text.Contains("issuer", StringComparison.OrdinalIgnoreCase)
                => "The access token was issued by another server (wrong issuer).",
            _ when text.Contains("signature", StringComparison.OrdinalIgnoreCase) || text.Contains("signing key", StringComparison.OrdinalIgnoreCase)
                => "The access token's signature does not verify (tampered, or signed by another key).",
            _ => "The access token is malformed or invalid.",
        };
        return description is { Length: > 0 } ? $"{cause} ({description.TrimEnd('.')}.)" : cause;
    }

    private AuthenticateResult Refuse(string error, string description)
    {
        Context.Items[ReasonItem] = description;
        Context.Items[RefusalItem] = $"Bearer error=\"{error}\", error_description=\"{description}\"";
        return AuthenticateResult.Fail(description);
    }

    /// <summary>
    /// 401 with <c>WWW-Authenticate: Bearer</c>: for a token OpenIddict refused, its challenge explains why
    /// (error="invalid_token"); for a malformed header or a token refused here, ours does.
    /// </summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[RefusalItem] is string refusal)
        {
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            Response.Headers.WWWAuthenticate = refusal;
            return;
        }
        if (Request.Headers.Authorization.Count > 0)
        {
            await Context.ChallengeAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme, properties);
            return;
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
    }
}
