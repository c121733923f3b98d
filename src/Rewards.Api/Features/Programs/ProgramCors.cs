using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Net.Http.Headers;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Api.Features.Programs;

/// <summary>Which browser origins may call a program's routes (brand sites calling with member tokens). None when absent.</summary>
public sealed record CorsSettings(IReadOnlyList<string> AllowedOrigins);

public sealed record CorsRequest(string?[]? AllowedOrigins);

public static class ProgramCors
{
    public const int MaxOrigins = 20;

    /// <summary>Request headers a browser may send: the bearer token, JSON bodies, idempotency keys.</summary>
    public static readonly string[] AllowedHeaders = ["Authorization", "Content-Type", "Idempotency-Key"];

    public static readonly string[] AllowedMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    /// <summary>Response headers a page may read besides the safelisted ones: when to retry (429) and why a token was refused (401).</summary>
    public static readonly string[] ExposedHeaders = ["Retry-After", "WWW-Authenticate"];

    /// <summary>How long a browser may cache a preflight answer (seconds); short, so that a settings change applies soon.</summary>
    public static readonly TimeSpan PreflightMaxAge = TimeSpan.FromMinutes(10);

    /// <summary>Validates the `cors` setting: absolute http(s) origins (scheme, host, optional port), no path, at most <see cref="MaxOrigins"/>.</summary>
    public static CorsSettings? Validate(CorsRequest? request, Validation v)
    {
        if (request is null)
        {
            return null;
        }
        if (request.AllowedOrigins is null)
        {
            v.Add("cors.allowedOrigins", "Required: a list of origins such as \"https://shop.example\" (it may be empty).");
            return null;
        }
        if (request.AllowedOrigins.Length > MaxOrigins)
        {
            v.Add("cors.allowedOrigins", $"At most {MaxOrigins} origins.");
            return null;
        }
        var origins = new List<string>();
        for (var i = 0; i < request.AllowedOrigins.Length; i++)
        {
            if (TryParseOrigin(request.AllowedOrigins[i], out var origin))
            {
                if (!origins.Contains(origin))
                {
                    origins.Add(origin);
                }
                continue;
            }
            var given = request.AllowedOrigins[i] is { } text ? $"'{Problems.Excerpt(text)}'" : "null";
            v.Add($"cors.allowedOrigins[{i}]", $"Invalid: {given} is not an origin. Give scheme and host, and a port when not the default, " +
                "without path, query or wildcard: \"https://shop.example\" or \"http://localhost:5173\".");
        }
        return new CorsSettings(origins);
    }

    /// <summary>An origin as browsers send it: "https://host[:port]", host in lower case, default port left out.</summary>
    public static bool TryParseOrigin(string? value, out string origin)
    {
        origin = "";
        if (value is null || !Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.UserInfo.Length > 0 || uri.HostNameType == UriHostNameType.Unknown || value.Contains('*'))
        {
            return false;
        }
        // Nothing after the authority: not even a trailing "/", since the Origin header never has one.
        var authority = uri.GetLeftPart(UriPartial.Authority);
        if (!string.Equals(value, authority, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(value, $"{uri.Scheme}://{uri.Authority}:{uri.Port}", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        origin = authority.ToLowerInvariant();
        return true;
    }
}

/// <summary>
/// The CORS policy of a request to /v1/programs/{programId}/...: the program's allowed origins, read from the program store's
/// snapshot cache (no Redis round trip while the program is cached), and no origin at all for an unknown program or one without
/// the setting. Only requests with an Origin header reach it (the CORS middleware skips the others), so server-to-server calls
/// such as awards pay nothing. The path is read directly, not from route values, so that preflights (OPTIONS) are answered
/// whatever methods the route accepts.
/// </summary>
public sealed class ProgramCorsPolicyProvider(ProgramStore programs) : ICorsPolicyProvider
{
    private static readonly CorsPolicy Nobody = Build([]);
    private readonly ConditionalWeakTable<ProgramSnapshot, CorsPolicy> _policies = new();

    public async Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName)
    {
        if (ProgramIdOf(context.Request.Path) is not { } programId)
        {
            return null; // not a program's route: no CORS answer at all
        }
        var program = await programs.FindAsync(programId);
        var policy = program?.Definition.Cors is { AllowedOrigins.Count: > 0 } cors ? _policies.GetValue(program, _ => Build(cors.AllowedOrigins)) : Nobody;
        // Caches must vary on the Origin: an answer without Access-Control-Allow-Origin for one site must not serve another. The
        // CORS service says so itself when it allows the origin (the policy allows by predicate); for a refused one, here.
        if (!policy.IsOriginAllowed(context.Request.Headers.Origin.ToString()))
        {
            context.Response.Headers.Append(HeaderNames.Vary, HeaderNames.Origin);
        }
        return policy;
    }

    /// <summary>The {programId} of "/v1/programs/{programId}/..." (not of "/v1/programs/{programId}" itself, an operator's route).</summary>
    private static string? ProgramIdOf(PathString path)
    {
        const string prefix = "/v1/programs/";
        var value = path.Value;
        if (value is null || !value.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var end = value.IndexOf('/', prefix.Length);
        return end > prefix.Length && end < value.Length - 1 ? value[prefix.Length..end] : null;
    }

    private static CorsPolicy Build(IReadOnlyList<string> origins)
    {
        var builder = new CorsPolicyBuilder()
            .WithMethods(ProgramCors.AllowedMethods)
            .WithHeaders(ProgramCors.AllowedHeaders)
            .WithExposedHeaders(ProgramCors.ExposedHeaders)
            .SetPreflightMaxAge(ProgramCors.PreflightMaxAge)
            .DisallowCredentials();
        // A predicate rather than WithOrigins, so that the CORS service adds `Vary: Origin` whatever the number of origins.
        var allowed = origins.ToHashSet(StringComparer.Ordinal);
        return builder.SetIsOriginAllowed(allowed.Contains).Build();
    }
}
