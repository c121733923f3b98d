using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using Rewards.Api.Features.People;

namespace Rewards.Api.Infrastructure.Auth;

/// <summary>
/// The console's session cookie (backend-for-frontend): HttpOnly, SameSite=Strict, Path=/, and outside Development Secure with
/// the <c>__Host-</c> prefix (no Domain: only this host). Its value is "&lt;personId&gt;.&lt;256 random bits&gt;"; Redis keeps only the
/// SHA-256 of the secret. The anti-forgery token is derived from the secret (HMAC), so it needs no storage and changes with
/// each session; state-changing requests made with the cookie must echo it in <see cref="CsrfHeader"/>.
/// </summary>
public sealed class SessionCookie(IHostEnvironment environment)
{
    public const string CsrfHeader = "X-CSRF-Token";

    public bool Secure { get; } = !environment.IsDevelopment();

    public string Name => Secure ? "__Host-rewards-session" : "rewards-session";

    public void Append(HttpResponse response, string value, DateTimeOffset expires) =>
        response.Cookies.Append(Name, value, Options(expires));

    public void Delete(HttpResponse response) => response.Cookies.Delete(Name, Options(null));

    private CookieOptions Options(DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = Secure,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };

    /// <summary>The anti-forgery token of the session whose secret this is.</summary>
    public static string CsrfTokenOf(byte[] secret) =>
        PeopleStore.Base64Url(HMACSHA256.HashData(secret, "rewards-console-csrf-v1"u8));
}

/// <summary>
/// Authenticates a console session: checks it in Redis on every request (one script run: the session exists, is within its
/// idle and absolute limits, its person is active; its idle timer restarts), so a sign-out, a revocation or a role change
/// takes effect at once on every instance. The principal carries the person's role scopes per program
/// (<see cref="RewardsClaims.ProgramScope"/>) and, for an operator, rewards.admin: the API's policies then treat it like a
/// token holding those scopes for that program.
/// </summary>
public sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, SessionCookie cookie, PeopleStore people)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "rewards-session";
    private const string CsrfItem = "rewards:csrf";
    private const string SecretItem = "rewards:session-secret";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Request.Cookies[cookie.Name] is not { } value)
        {
            return AuthenticateResult.NoResult();
        }
        if (!PeopleStore.TryParseSecret(value, out var personId, out var secret))
        {
            return Refuse("The session cookie is malformed; sign in again (POST /v1/session).");
        }
        if (await people.CheckSessionAsync(personId, secret) is not { } session)
        {
            return Refuse("The session has ended (signed out, idle too long, past its lifetime, revoked, or the account is disabled); sign in again.");
        }
        var identity = new ClaimsIdentity(SchemeName, OpenIddictConstants.Claims.Name, OpenIddictConstants.Claims.Role);
        identity.SetClaim(OpenIddictConstants.Claims.Subject, personId);
        identity.AddClaim(new Claim(RewardsClaims.Person, personId));
        identity.AddClaim(new Claim(OpenIddictConstants.Claims.Email, session.Email));
        if (session.Operator)
        {
            identity.SetScopes(Scopes.Admin);
        }
        foreach (var role in session.Roles.Where(r => !r.Disabled && ConsoleRoles.IsRole(r.Role)))
        {
            foreach (var scope in ConsoleRoles.ScopesOf[role.Role])
            {
                identity.AddClaim(new Claim(RewardsClaims.ProgramScope, $"{role.ProgramId} {scope}"));
            }
        }
        Context.Items[CsrfItem] = SessionCookie.CsrfTokenOf(secret);
        Context.Items[SecretItem] = secret;
        Context.Items[typeof(SessionPerson)] = session;
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private AuthenticateResult Refuse(string reason)
    {
        CachedTokenAuthenticationHandler.SetRefusal(Context, reason);
        return AuthenticateResult.Fail(reason);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        // The console's scheme: a challenge names it, as RFC 9110 wants every 401 to name one.
        Response.Headers.WWWAuthenticate = "Session realm=\"rewards-console\"";
        return Task.CompletedTask;
    }

    /// <summary>The session's secret (this request's cookie), for sign-out.</summary>
    public static byte[]? SecretOf(HttpContext http) => http.Items[SecretItem] as byte[];

    public static SessionPerson? SessionOf(HttpContext http) => http.Items[typeof(SessionPerson)] as SessionPerson;

    public static string? CsrfTokenOf(HttpContext http) => http.Items[CsrfItem] as string;

    /// <summary>
    /// Anti-forgery: a state-changing request (anything but GET, HEAD, OPTIONS, TRACE) authenticated by a session cookie must
    /// carry the session's token in <see cref="SessionCookie.CsrfHeader"/>, else 403 before anything runs. SameSite=Strict
    /// already keeps the cookie off cross-site requests; this also covers same-site attackers and old browsers.
    /// </summary>
    public static async Task RequireCsrfToken(HttpContext http, RequestDelegate next)
    {
        if (CsrfTokenOf(http) is { } expected && !IsSafe(http.Request.Method)
            && http.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is null)
        {
            var sent = http.Request.Headers[SessionCookie.CsrfHeader].ToString();
            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(sent), Encoding.ASCII.GetBytes(expected)))
            {
                http.Response.StatusCode = StatusCodes.Status403Forbidden;
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status403Forbidden,
                        Title = "Anti-forgery token missing or wrong",
                        Detail = $"A request that changes something, made with the console's session cookie, must send the session's anti-forgery " +
                            $"token in the '{SessionCookie.CsrfHeader}' header (from the sign-in answer or GET /v1/me).",
                    },
                });
                return;
            }
        }
        await next(http);
    }

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);
}
