using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;

namespace Rewards.Api.Infrastructure.Auth;

/// <summary>
/// Remembers access tokens that OpenIddict validation accepted, until they expire. A token string that validated once
/// validates the same way until its expiry (validation is local and stateless: no revocation lookups), so repeat calls
/// skip signature checking and OpenIddict's per-request pipeline. Unknown or failed tokens always go to OpenIddict.
/// </summary>
public sealed class ValidatedTokenCache(TimeProvider clock)
{
    public const int MaxEntries = 20_000;
    private readonly ConcurrentDictionary<string, (AuthenticationTicket Ticket, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);

    public bool TryGet(string token, out AuthenticationTicket ticket)
    {
        if (_entries.TryGetValue(token, out var entry))
        {
            if (entry.Expires > clock.GetUtcNow())
            {
                ticket = entry.Ticket;
                return true;
            }
            _entries.TryRemove(token, out _);
        }
        ticket = null!;
        return false;
    }

    public void Remember(string token, AuthenticationTicket ticket, DateTimeOffset expires)
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
        _entries[token] = (ticket, expires);
    }
}

/// <summary>The default authentication scheme: the cache first, OpenIddict validation for anything not in it.</summary>
public sealed class CachedTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ValidatedTokenCache cache)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "rewards-bearer";
    private static readonly TimeSpan MaxCacheTime = TimeSpan.FromMinutes(15);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var token = header[7..].Trim();
        if (cache.TryGet(token, out var cached))
        {
            return AuthenticateResult.Success(cached);
        }
        var result = await Context.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        if (result is { Succeeded: true, Principal: { } principal })
        {
            var now = TimeProvider.System.GetUtcNow();
            var expires = principal.GetExpirationDate() ?? result.Properties?.ExpiresUtc ?? now;
            var ticket = new AuthenticationTicket(principal, result.Properties, SchemeName);
            cache.Remember(token, ticket, expires < now + MaxCacheTime ? expires : now + MaxCacheTime);
            return AuthenticateResult.Success(ticket);
        }
        return result;
    }

    /// <summary>401 with <c>WWW-Authenticate: Bearer</c>; for a refused token, OpenIddict's challenge explains why (error="invalid_token").</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Request.Headers.Authorization.Count > 0)
        {
            await Context.ChallengeAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme, properties);
            return;
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
    }
}
