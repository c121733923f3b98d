using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Api.Features.People;

/// <summary>
/// Console sign-in (backend-for-frontend session cookie), sign-out, sign-out everywhere, who am I, and accepting an invitation.
/// </summary>
public static class SessionApi
{
    public const int MaxPasswordInput = 1024;
    public const int MaxDisplayNameLength = 100;

    public static RouteGroupBuilder MapSessionApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Session");

        group.MapPost("/session", SignIn)
            .WithName(nameof(SignIn))
            .AllowAnonymous()
            .WithSummary("Sign in to the console (sets the session cookie)")
            .WithDescription("Checks the e-mail address and password and starts a session: an HttpOnly, SameSite=Strict session cookie " +
                $"(`__Host-rewards-session` outside Development). The answer's `csrfToken` must be sent in the `{SessionCookie.CsrfHeader}` " +
                "header of every state-changing request made with the cookie. `401` for a wrong address or password (the same answer " +
                "either way); `429` with `Retry-After` when the account is locked after repeated failures or the address made too many.");
        group.MapDelete("/session", SignOut)
            .WithName(nameof(SignOut))
            .RequireAuthorization(Policies.Person)
            .WithSummary("Sign out (ends this session)");
        group.MapDelete("/me/sessions", SignOutEverywhere)
            .WithName(nameof(SignOutEverywhere))
            .RequireAuthorization(Policies.Person)
            .WithSummary("Sign out everywhere (ends every session of the signed-in person)")
            .WithDescription("Every instance refuses those sessions from the next request on (sessions are checked in Redis on each request).");
        group.MapGet("/me", GetMe)
            .WithName(nameof(GetMe))
            .RequireAuthorization(Policies.Person)
            .WithSummary("Who is signed in: the person, their programs and roles, the session's anti-forgery token");
        group.MapPost("/invitations/accept", AcceptInvitation)
            .WithName(nameof(AcceptInvitation))
            .AllowAnonymous()
            .WithSummary("Accept an invitation: set the password (and display name) with the link's token")
            .WithDescription("The token is the `token` of the invitation link's fragment. A link works once, until it expires, and only the " +
                "latest one sent to a person: otherwise `410`. Passwords: at least 15 characters (configurable), at most 128, not one of " +
                "the most common passwords, no other rule.");
        return group;
    }

    public sealed record SignInRequest(string? Email, string? Password);

    public sealed record SignedIn(string PersonId, string Email, string? DisplayName, string CsrfToken, DateTimeOffset ExpiresAt);

    public sealed record AcceptInvitationRequest(string? Token, string? Password, string? DisplayName);

    public sealed record AcceptedInvitation(string PersonId, string Email);

    public sealed record MyProgram(string ProgramId, string Role, bool Disabled, IReadOnlyList<string> Scopes);

    public sealed record Me(string PersonId, string Email, string? DisplayName, bool Operator, IReadOnlyList<MyProgram> Programs,
        string CsrfToken, DateTimeOffset SessionExpiresAt);

    private static async Task<Results<Ok<SignedIn>, ValidationProblem, UnauthorizedProblem, TooManyAttemptsProblem>> SignIn(
        SignInRequest request, HttpContext http, PeopleStore people, SignInAttempts attempts, AuditLog audit, SessionCookie cookie)
    {
        var email = PeopleStore.NormalizeEmail(request.Email);
        var v = new Validation()
            .Expect(request.Email, email is not null, "email", "the e-mail address of your console account.")
            .Expect(request.Password, request.Password is { Length: > 0 and <= MaxPasswordInput }, "password", $"your password (at most {MaxPasswordInput} characters).");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var address = http.Connection.RemoteIpAddress?.ToString();
        if (attempts.RefusalFor(address, email) is { } retryAfter)
        {
            return new TooManyAttemptsProblem(http, TimeSpan.FromSeconds(retryAfter),
                $"Too many failed sign-ins from this address or for this account; retry after {retryAfter} s.");
        }
        const string wrong = "Wrong e-mail address or password.";
        var personId = await people.FindIdByEmailAsync(email!);
        if (personId is null)
        {
            PeopleStore.VerifyPassword(null, request.Password!); // the same work as for a real account: timing tells nothing
            attempts.Failed(address, email);
            await audit.WriteAsync(http, AuditAction.SignInFailed, null, email, [], detail: "unknown_account", actor: "anonymous");
            return new UnauthorizedProblem(wrong);
        }
        var person = await people.GetAsync(personId);
        var programs = person?.Roles.Select(r => r.ProgramId) ?? [];
        var (status, hash, lockedFor) = await people.ReadForSignInAsync(personId);
        if (lockedFor is { } locked)
        {
            await audit.WriteAsync(http, AuditAction.SignInFailed, personId, email, programs, detail: "locked", actor: "anonymous");
            return new TooManyAttemptsProblem(http, locked,
                $"This account is locked after repeated failed sign-ins; retry after {Math.Ceiling(locked.TotalSeconds):0} s.");
        }
        if (!PeopleStore.VerifyPassword(hash, request.Password!))
        {
            var nowLocked = await people.SignInFailedAsync(personId);
            attempts.Failed(address, email);
            await audit.WriteAsync(http, AuditAction.SignInFailed, personId, email, programs,
                detail: nowLocked is null ? "wrong_password" : "wrong_password_locked", actor: "anonymous");
            return new UnauthorizedProblem(wrong);
        }
        if (status != PersonStatus.Active || await people.CreateSessionAsync(personId) is not var (value, expiresAt))
        {
            await audit.WriteAsync(http, AuditAction.SignInFailed, personId, email, programs, detail: "account_disabled", actor: "anonymous");
            return new UnauthorizedProblem("This account is disabled; ask the platform operator to enable it.");
        }
        attempts.Succeeded(email!);
        cookie.Append(http.Response, value, expiresAt);
        await audit.WriteAsync(http, AuditAction.SignIn, personId, email, programs, actor: $"person:{personId}");
        PeopleStore.TryParseSecret(value, out _, out var secret);
        return TypedResults.Ok(new SignedIn(personId, email!, person?.DisplayName, SessionCookie.CsrfTokenOf(secret), expiresAt));
    }

    private static async Task<NoContent> SignOut(HttpContext http, PeopleStore people, SessionCookie cookie, AuditLog audit)
    {
        var session = SessionAuthenticationHandler.SessionOf(http)!;
        await people.EndSessionsAsync(session.PersonId, SessionAuthenticationHandler.SecretOf(http));
        cookie.Delete(http.Response);
        await audit.WriteAsync(http, AuditAction.SignOut, session.PersonId, session.Email, session.Roles.Select(r => r.ProgramId));
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> SignOutEverywhere(HttpContext http, PeopleStore people, SessionCookie cookie, AuditLog audit)
    {
        var session = SessionAuthenticationHandler.SessionOf(http)!;
        var ended = await people.EndSessionsAsync(session.PersonId, null);
        cookie.Delete(http.Response);
        await audit.WriteAsync(http, AuditAction.SessionsRevoked, session.PersonId, session.Email, session.Roles.Select(r => r.ProgramId),
            detail: $"{ended} sessions");
        return TypedResults.NoContent();
    }

    private static Ok<Me> GetMe(HttpContext http)
    {
        var session = SessionAuthenticationHandler.SessionOf(http)!;
        return TypedResults.Ok(new Me(session.PersonId, session.Email, session.DisplayName, session.Operator,
            session.Roles.OrderBy(r => r.ProgramId, StringComparer.Ordinal)
                .Select(r => new MyProgram(r.ProgramId, r.Role, r.Disabled, r.Disabled ? [] : ConsoleRoles.ScopesOf.GetValueOrDefault(r.Role, [])))
                .ToList(),
            SessionAuthenticationHandler.CsrfTokenOf(http)!, session.ExpiresAt));
    }

    private static async Task<Results<Ok<AcceptedInvitation>, ValidationProblem, GoneProblem>> AcceptInvitation(
        AcceptInvitationRequest request, HttpContext http, PeopleStore people, AuditLog audit, IOptions<PeopleOptions> options)
    {
        var personId = PeopleStore.PersonOfToken(request.Token);
        var person = personId is null ? null : await people.GetAsync(personId);
        var v = new Validation()
            .Expect(request.Token, personId is not null, "token", "the token of the invitation link (the part after '#token=').")
            .Expect(request.DisplayName, Ids.IsPlainText(request.DisplayName, MaxDisplayNameLength), "displayName",
                $"your name as the console shows it: 1–{MaxDisplayNameLength} characters of plain text.");
        if (person is not null && PasswordRules.Check(request.Password, person.Email, options.Value.MinPasswordLength) is { } refused)
        {
            v.Add("password", refused);
        }
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        const string gone = "This invitation link has expired, was already used, or was replaced by a newer one: ask whoever invited you to invite you again.";
        if (person is null)
        {
            return Problems.Gone(gone);
        }
        var (outcome, _) = await people.AcceptAsync(request.Token!, request.Password!, request.DisplayName!.Trim());
        var programs = person.Roles.Where(r => !r.Disabled).Select(r => r.ProgramId);
        if (outcome != AcceptOutcome.Accepted)
        {
            // The operator's log only: replaying a dead link must not push a program's real entries out of its capped log.
            await audit.WriteAsync(http, AuditAction.InvitationRefused, person.Id, person.Email, [],
                detail: outcome == AcceptOutcome.Expired ? "expired" : "used_or_replaced", actor: "anonymous");
            return Problems.Gone(gone);
        }
        await audit.WriteAsync(http, AuditAction.InvitationAccepted, person.Id, person.Email, programs, actor: $"person:{person.Id}");
        return TypedResults.Ok(new AcceptedInvitation(person.Id, person.Email));
    }
}
