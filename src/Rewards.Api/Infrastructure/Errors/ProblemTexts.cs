using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.WebUtilities;
using Rewards.Api.Infrastructure.Auth;

namespace Rewards.Api.Infrastructure.Errors;

/// <summary>
/// Every problem the API writes says what to change (issue 13): answers written by the framework's layers (401 and 403 from
/// authentication and authorization, 404 and 405 for unknown routes) get a detail here, once, for every endpoint.
/// </summary>
public static class ProblemTexts
{
    public static void Fill(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (!string.IsNullOrWhiteSpace(problem.Detail))
        {
            return;
        }
        var http = context.HttpContext;
        var status = problem.Status ?? http.Response.StatusCode;
        problem.Detail = status switch
        {
            StatusCodes.Status401Unauthorized => Unauthenticated(http),
            StatusCodes.Status403Forbidden => Forbidden(http),
            StatusCodes.Status415UnsupportedMediaType => NotJson(http),
            StatusCodes.Status404NotFound => $"No such route: {http.Request.Method} {http.Request.Path}. See /swagger for the API's routes.",
            StatusCodes.Status405MethodNotAllowed => $"{http.Request.Method} is not allowed on {http.Request.Path}; see the Allow header.",
            _ => ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase + "." : "The request failed.",
        };
    }

    /// <summary>415: the body must be JSON, and what was sent instead.</summary>
    public static string NotJson(HttpContext http)
    {
        var sent = http.Request.ContentType;
        return "The body must be JSON sent with 'Content-Type: application/json'; "
            + (string.IsNullOrEmpty(sent) ? "no Content-Type was sent." : $"got '{Problems.Excerpt(sent)}'.");
    }

    /// <summary>Why no identity was established: missing, malformed, expired, wrong audience or issuer, revoked.</summary>
    private static string Unauthenticated(HttpContext http)
    {
        if (CachedTokenAuthenticationHandler.RefusalOf(http) is { } reason)
        {
            return reason;
        }
        if (http.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == Policies.Person) == true)
        {
            return "Sign in first (POST /v1/session): this call needs the console's session cookie.";
        }
        return http.Request.Headers.Authorization.Count == 0
            ? $"An access token is required: send 'Authorization: Bearer <token>' with a token from POST {AuthSetup.TokenPath}."
            : "The access token is invalid (malformed, badly signed, expired, or not issued for this API); request a new one.";
    }

    /// <summary>The scopes that would allow the call: those of the endpoint's authorization policies.</summary>
    private static string Forbidden(HttpContext http)
    {
        var policies = http.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToList() ?? [];
        if (policies.Contains(Policies.Person))
        {
            return "This call is about a person signed in to the console: make it with the session cookie of POST /v1/session, not a token.";
        }
        var scopes = policies
            .SelectMany(p => Policies.ScopesOf.TryGetValue(p, out var s) ? s : [])
            .Distinct().Order(StringComparer.Ordinal).ToList();
        if (scopes.Count == 0)
        {
            return "The token is not allowed to make this call.";
        }
        return http.User.PersonOf() is not null
            ? $"Your role in this program does not allow this call: it needs one of the scopes {string.Join(", ", scopes)} (roles and their scopes: docs/auth.md)."
            : $"The token lacks the scope this call needs: one of {string.Join(", ", scopes)}.";
    }
}
