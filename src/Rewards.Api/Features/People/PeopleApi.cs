using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Errors;
using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.People;

/// <summary>
/// Console people: a program's owner (or the operator) invites e-mail addresses with a role, changes or disables roles and
/// removes people from the program, and reads the program's audit log; the operator also invites operators, disables, enables
/// and deletes accounts, and reads the operator's audit log. No e-mail is sent: an invitation's answer holds the link, for the
/// inviter to pass on (a deployment that mails it plugs a sender in behind the same answer).
/// </summary>
public static class PeopleApi
{
    public static IServiceCollection AddPeopleFeature(this IServiceCollection services)
    {
        services.AddOptions<PeopleOptions>().BindConfiguration(PeopleOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.SessionIdleTimeout <= o.SessionLifetime, "Rewards:People:SessionIdleTimeout must not exceed SessionLifetime.")
            .ValidateOnStart();
        services.AddSingleton<PeopleScripts>();
        services.AddSingleton<PeopleStore>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<SignInAttempts>();
        services.TryAddSingleton<IInvitationSender, InviterDeliversInvitations>();
        return services;
    }

    public static IEndpointRouteBuilder MapPeopleApi(this IEndpointRouteBuilder app)
    {
        var program = app.MapGroup("/v1/programs/{programId}").WithTags("People").RequireAuthorization(Policies.ProgramOwner).RequireProgram();
        program.MapPost("/people", InviteToProgram)
            .WithName(nameof(InviteToProgram))
            .WithSummary("Invite an e-mail address to the program with a role")
            .WithDescription("Roles: owner, marketer, moderator, analyst (their scopes: docs/auth.md). A new person (or one who has not set a " +
                "password yet) gets an invitation link, returned here (shown once; only its hash is stored) for you to pass on; a newer " +
                "invitation replaces the earlier link. A person who already has an account gets the role at once, and no link.");
        program.MapGet("/people", ListProgramPeople)
            .WithName(nameof(ListProgramPeople))
            .WithSummary("List the people holding a role in the program")
            .WithDescription("Oldest first. " + Paging.Description);
        program.MapPut("/people/{personId}", UpdateProgramPerson)
            .WithName(nameof(UpdateProgramPerson))
            .WithSummary("Change a person's role in the program, or disable / enable it")
            .WithDescription("Takes effect on the person's next request (sessions read their roles on every request).");
        program.MapDelete("/people/{personId}", RemoveProgramPerson)
            .WithName(nameof(RemoveProgramPerson))
            .WithSummary("Remove a person from the program");
        program.MapPost("/people/{personId}/invitation", ReinviteProgramPerson)
            .WithName(nameof(ReinviteProgramPerson))
            .WithSummary("Send a person of the program a new invitation link (the earlier one stops working)")
            .WithDescription("Only for a person who has not set a password yet: `409` otherwise.");
        program.MapGet("/audit", GetProgramAudit)
            .WithName(nameof(GetProgramAudit))
            .WithSummary("The program's audit log: sign-ins, invitations, role changes, removals")
            .WithDescription($"Newest first; the newest 10,000 entries are kept (Rewards:People:AuditMaxEntries). " + Paging.Description);

        var platform = app.MapGroup("/v1").WithTags("People").RequireAuthorization(Policies.Admin);
        platform.MapPost("/people", InviteOperator)
            .WithName(nameof(InviteOperator))
            .WithSummary("Invite an operator (a person with every right on every program)")
            .WithDescription("The operator's admin client (configuration) invites the first operator person this way.");
        platform.MapGet("/people", ListPeople)
            .WithName(nameof(ListPeople))
            .WithSummary("List every console person (operator)")
            .WithDescription("Oldest first. " + Paging.Description);
        platform.MapGet("/people/{personId}", GetPerson)
            .WithName(nameof(GetPerson))
            .WithSummary("A console person: account, roles (operator)");
        platform.MapPost("/people/{personId}/disable", DisablePerson)
            .WithName(nameof(DisablePerson))
            .WithSummary("Disable an account: it cannot sign in, and its sessions end at once (operator)");
        platform.MapPost("/people/{personId}/enable", EnablePerson)
            .WithName(nameof(EnablePerson))
            .WithSummary("Enable a disabled account again (operator)");
        platform.MapDelete("/people/{personId}", DeletePerson)
            .WithName(nameof(DeletePerson))
            .WithSummary("Delete an account, its roles and sessions (operator)");
        platform.MapGet("/audit", GetOperatorAudit)
            .WithName(nameof(GetOperatorAudit))
            .WithSummary("The operator's audit log: every people event of every program")
            .WithDescription("Newest first; the newest 10,000 entries are kept. " + Paging.Description);
        return app;
    }

    public sealed record InviteRequest(string? Email, string? Role);

    public sealed record OperatorInviteRequest(string? Email);

    public sealed record UpdateRoleRequest(string? Role, bool? Disabled);

    /// <summary>The link (null when a sender delivered it to the address: <see cref="Sent"/>) and when it expires.</summary>
    public sealed record InvitationLink(string? Link, DateTimeOffset ExpiresAt, bool Sent);

    public sealed record Invited(string PersonId, string Email, string? Role, string Status, InvitationLink? Invitation);

    public sealed record ProgramPerson(string PersonId, string Email, string? DisplayName, string Status, string Role, bool Disabled,
        DateTimeOffset? LastSignInAt);

    public sealed record ProgramPeople(IReadOnlyList<ProgramPerson> People, long Total);

    public sealed record PersonList(IReadOnlyList<Person> People, long Total);

    public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long Total);

    /// <summary>Hands a new link to the sender; the answer shows it unless the sender delivered it.</summary>
    private static async Task<InvitationLink?> DeliverAsync(string email, IssuedInvitation? invitation, HttpContext http)
    {
        if (invitation is null)
        {
            return null;
        }
        var sender = http.RequestServices.GetRequiredService<IInvitationSender>();
        var link = $"{http.RequestServices.GetRequiredService<IOptions<PeopleOptions>>().Value.InvitationUrl}#token={invitation.Token}";
        await sender.SendAsync(email, link, invitation.ExpiresAt, http.RequestAborted);
        return new InvitationLink(sender.Delivers ? null : link, invitation.ExpiresAt, sender.Delivers);
    }

    private static async Task<Results<Created<Invited>, ValidationProblem, ConflictProblem>> InviteToProgram(string programId, InviteRequest request,
        RouteProgram route, HttpContext http, PeopleStore people, AuditLog audit)
    {
        var email = PeopleStore.NormalizeEmail(request.Email);
        var v = new Validation()
            .Expect(request.Email, email is not null, "email", "an e-mail address (name@example.com).")
            .Expect(request.Role, ConsoleRoles.IsRole(request.Role), "role", ConsoleRoles.Rule + ".");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        if (await people.FindIdByEmailAsync(email!) is { } known && await people.GetAsync(known) is { } existing
            && existing.RoleIn(programId) is { } held)
        {
            return Problems.Conflict($"{email} already holds the role {held.Role} in this program: change it with PUT " +
                $"/v1/programs/{programId}/people/{known}" + (existing.Status == PersonStatus.Invited
                    ? $", or send a new link with POST /v1/programs/{programId}/people/{known}/invitation." : "."));
        }
        var (personId, status, invitation) = await people.InviteAsync(email!, programId, request.Role);
        await audit.WriteAsync(http, AuditAction.Invited, personId, email, [programId], request.Role,
            invitation is null ? "existing_account" : "link_issued");
        return TypedResults.Created($"/v1/programs/{programId}/people/{personId}",
            new Invited(personId, email!, request.Role, status, await DeliverAsync(email!, invitation, http)));
    }

    private static async Task<Results<Ok<ProgramPeople>, ValidationProblem>> ListProgramPeople(string programId, RouteProgram route,
        PeopleStore people, int? offset = null, int? limit = null)
    {
        var v = new Validation().CheckPage(offset, limit);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var (page, total) = await people.ListProgramAsync(programId, offset ?? 0, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new ProgramPeople(page.Select(p => ToProgramPerson(p, programId)).ToList(), total));
    }

    private static ProgramPerson ToProgramPerson(Person p, string programId)
    {
        var role = p.RoleIn(programId)!;
        return new ProgramPerson(p.Id, p.Email, p.DisplayName, p.Status, role.Role, role.Disabled, p.LastSignInAt);
    }

    private static async Task<Results<Ok<ProgramPerson>, ValidationProblem, NotFoundProblem>> UpdateProgramPerson(string programId,
        string personId, UpdateRoleRequest request, RouteProgram route, HttpContext http, PeopleStore people, AuditLog audit)
    {
        var v = new Validation().Expect(request.Role, ConsoleRoles.IsRole(request.Role), "role", ConsoleRoles.Rule + ".");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        if (await people.GetAsync(personId) is not { } before || before.RoleIn(programId) is not { } old
            || !await people.SetRoleAsync(personId, programId, request.Role!, request.Disabled ?? false))
        {
            return Problems.NotFound("No such person in this program.");
        }
        var disabled = request.Disabled ?? false;
        var action = disabled != old.Disabled ? (disabled ? AuditAction.Disabled : AuditAction.Enabled) : AuditAction.RoleChanged;
        await audit.WriteAsync(http, action, personId, before.Email, [programId], request.Role, $"was {old.Role}{(old.Disabled ? " (disabled)" : "")}");
        return TypedResults.Ok(ToProgramPerson((await people.GetAsync(personId))!, programId));
    }

    private static async Task<Results<NoContent, NotFoundProblem>> RemoveProgramPerson(string programId, string personId,
        RouteProgram route, HttpContext http, PeopleStore people, AuditLog audit)
    {
        if (await people.GetAsync(personId) is not { } person || person.RoleIn(programId) is not { } role
            || !await people.RemoveRoleAsync(personId, programId))
        {
            return Problems.NotFound("No such person in this program.");
        }
        await audit.WriteAsync(http, AuditAction.Removed, personId, person.Email, [programId], role.Role);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created<Invited>, NotFoundProblem, ConflictProblem>> ReinviteProgramPerson(string programId,
        string personId, RouteProgram route, HttpContext http, PeopleStore people, AuditLog audit)
    {
        if (await people.GetAsync(personId) is not { } person || person.RoleIn(programId) is not { } role)
        {
            return Problems.NotFound("No such person in this program.");
        }
        if (person.Status != PersonStatus.Invited)
        {
            return Problems.Conflict($"This person's account is {person.Status}: they sign in with their own password; there is no invitation to send.");
        }
        var (_, status, invitation) = await people.InviteAsync(person.Email, programId, role.Disabled ? role.Role + ":disabled" : role.Role);
        await audit.WriteAsync(http, AuditAction.Invited, personId, person.Email, [programId], role.Role, "link_reissued");
        return TypedResults.Created($"/v1/programs/{programId}/people/{personId}",
            new Invited(personId, person.Email, role.Role, status, await DeliverAsync(person.Email, invitation, http)));
    }

    private static async Task<Results<Ok<AuditPage>, ValidationProblem>> GetProgramAudit(string programId, RouteProgram route, AuditLog audit,
        int? offset = null, int? limit = null) => await ReadAudit(audit, RedisKeys.ProgramAudit(programId), offset, limit);

    private static async Task<Results<Ok<AuditPage>, ValidationProblem>> GetOperatorAudit(AuditLog audit, int? offset = null, int? limit = null) =>
        await ReadAudit(audit, RedisKeys.OperatorAudit, offset, limit);

    private static async Task<Results<Ok<AuditPage>, ValidationProblem>> ReadAudit(AuditLog audit, RedisKey log, int? offset, int? limit)
    {
        var v = new Validation().CheckPage(offset, limit);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var (entries, total) = await audit.ReadAsync(log, offset ?? 0, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new AuditPage(entries, total));
    }

    private static async Task<Results<Created<Invited>, ValidationProblem>> InviteOperator(OperatorInviteRequest request, HttpContext http,
        PeopleStore people, AuditLog audit)
    {
        var email = PeopleStore.NormalizeEmail(request.Email);
        var v = new Validation().Expect(request.Email, email is not null, "email", "an e-mail address (name@example.com).");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var (personId, status, invitation) = await people.InviteAsync(email!, null, null);
        await audit.WriteAsync(http, AuditAction.Invited, personId, email, [], "operator", invitation is null ? "existing_account" : "link_issued");
        return TypedResults.Created($"/v1/people/{personId}", new Invited(personId, email!, "operator", status, await DeliverAsync(email!, invitation, http)));
    }

    private static async Task<Results<Ok<PersonList>, ValidationProblem>> ListPeople(PeopleStore people, int? offset = null, int? limit = null)
    {
        var v = new Validation().CheckPage(offset, limit);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var (page, total) = await people.ListAllAsync(offset ?? 0, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new PersonList(page, total));
    }

    private static async Task<Results<Ok<Person>, NotFoundProblem>> GetPerson(string personId, PeopleStore people) =>
        await people.GetAsync(personId) is { } person ? TypedResults.Ok(person) : Problems.NotFound("No such person.");

    private static Task<Results<Ok<Person>, NotFoundProblem>> DisablePerson(string personId, HttpContext http, PeopleStore people, AuditLog audit) =>
        SetDisabled(personId, true, http, people, audit);

    private static Task<Results<Ok<Person>, NotFoundProblem>> EnablePerson(string personId, HttpContext http, PeopleStore people, AuditLog audit) =>
        SetDisabled(personId, false, http, people, audit);

    private static async Task<Results<Ok<Person>, NotFoundProblem>> SetDisabled(string personId, bool disabled, HttpContext http,
        PeopleStore people, AuditLog audit)
    {
        if (await people.GetAsync(personId) is not { } person || !await people.SetDisabledAsync(personId, disabled))
        {
            return Problems.NotFound("No such person.");
        }
        await audit.WriteAsync(http, disabled ? AuditAction.Disabled : AuditAction.Enabled, personId, person.Email, person.Roles.Select(r => r.ProgramId));
        return TypedResults.Ok((await people.GetAsync(personId))!);
    }

    private static async Task<Results<NoContent, NotFoundProblem>> DeletePerson(string personId, HttpContext http, PeopleStore people, AuditLog audit)
    {
        if (await people.GetAsync(personId) is not { } person || !await people.DeleteAsync(person))
        {
            return Problems.NotFound("No such person.");
        }
        await audit.WriteAsync(http, AuditAction.Deleted, personId, person.Email, person.Roles.Select(r => r.ProgramId));
        return TypedResults.NoContent();
    }
}
