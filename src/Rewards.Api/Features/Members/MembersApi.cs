using Rewards.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Api.Features.Members;

/// <summary>The bounds of a member's profile and of a ledger page.</summary>
public static class MemberLimits
{
    public const int MaxDisplayNameLength = 100;
    public const int DefaultLedgerPage = 20;
    public const int MaxLedgerPage = 100;
}

public static class MembersApi
{

    public static IServiceCollection AddMembersFeature(this IServiceCollection services) =>
        services.AddSingleton<MemberStore>();

    public static RouteGroupBuilder MapMembersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/programs/{programId}/members").WithTags("Members").RequireProgram();

        group.MapPut("/{memberId}", PutMember)
            .WithName(nameof(PutMember))
            .RequireAuthorization(Policies.Activities)
            .WithSummary("Create or update a member's profile")
            .WithDescription("Sets display name and locale (omitted fields are cleared). Points and status are not changed here.");
        group.MapGet("/{memberId}", GetMember)
            .WithName(nameof(GetMember))
            .RequireAuthorization(Policies.MemberRead)
            .WithSummary("Get a member: profile, balance and lifetime points");
        group.MapGet("/", ListFlagged)
            .WithName(nameof(ListFlagged))
            .RequireAuthorization(Policies.Activities)
            .WithSummary("Members flagged for review (velocity rule)")
            .WithDescription("`flagged=true` is required: the list of all members is not exposed here. By member id. " + Paging.Description);
        group.MapPost("/{memberId}/unflag", Unflag)
            .WithName(nameof(Unflag))
            .RequireAuthorization(Policies.Activities)
            .WithSummary("Clear a member's flag after review");
        group.MapPost("/{memberId}/suspend", Suspend)
            .WithName(nameof(Suspend))
            .RequireAuthorization(Policies.Activities)
            .WithSummary("Suspend a member")
            .WithDescription("The member leaves every leaderboard and earns nothing until reinstated; points are kept.");
        group.MapPost("/{memberId}/reinstate", Reinstate)
            .WithName(nameof(Reinstate))
            .RequireAuthorization(Policies.Activities)
            .WithSummary("Reinstate a suspended member")
            .WithDescription("The member's leaderboard entries come back as they were (periods still retained).");
        group.MapDelete("/{memberId}", Erase)
            .WithName(nameof(Erase))
            .RequireAuthorization(Policies.Activities)
            .WithSummary("Erase a member (right to be forgotten)")
            .WithDescription("Right to be forgotten, in one atomic step: the member leaves every leaderboard; display name, locale, " +
                "flag, every activity target and moderator's note in their ledger and activities, their target sets, perk codes, and " +
                "a referrer's mention of them are scrubbed. Kept for accounting: kinds, points, balances, times and ids. Afterwards " +
                "every route of the member answers 404, activities for them 409 (`member_erased`, no figures) and the id is never reused.");
        group.MapGet("/{memberId}/export", ExportMember.Handle)
            .WithName("ExportMember")
            .RequireAuthorization(Policies.Activities)
            .WithSummary("Everything held about a member, in one document (right of access)")
            .WithDescription("Profile (tier, badges, streaks, flag), the whole explained ledger (newest first, as the ledger endpoint " +
                "explains it), perks and their states, and the member's rank and score on every board of the current windows. " +
                "For the brand to hand over on request: needs the member-management scope (rewards.activities), not a member token. " +
                "404 for unknown and erased members.");
        group.MapGet("/{memberId}/ledger", GetLedger)
            .WithName(nameof(GetLedger))
            .RequireAuthorization(Policies.MemberRead)
            .WithSummary("A member's ledger, newest first")
            .WithDescription($"Each entry says what happened and why. Page with `limit` (1–{MemberLimits.MaxLedgerPage}, default {MemberLimits.DefaultLedgerPage}) and the `nextCursor` of the previous page.");
        return group;
    }

    public sealed record MemberRequest(string? DisplayName, string? Locale);

    private static async Task<Results<Ok<MemberProfile>, Created<MemberProfile>, ValidationProblem, ConflictProblem>> PutMember(
        string programId, string memberId, MemberRequest request, RouteProgram route, MemberStore members)
    {
        var v = new Validation()
            .Check(Ids.IsValidId(memberId), "memberId", $"{Ids.IdRule}.")
            .Check(request.DisplayName is null || Ids.IsPlainText(request.DisplayName, MemberLimits.MaxDisplayNameLength), "displayName",
                $"When given: 1–{MemberLimits.MaxDisplayNameLength} characters of plain text.")
            .Check(request.Locale is null || Ids.IsValidLocale(request.Locale), "locale", "When given: a BCP 47 language tag such as 'fr-FR'.");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        if (await members.UpsertAsync(route.Program, memberId, request.DisplayName?.Trim(), request.Locale) is not var (profile, created))
        {
            return Problems.Conflict($"Member '{memberId}' was erased; erased member ids are not reused.");
        }
        return created
            ? TypedResults.Created($"/v1/programs/{programId}/members/{memberId}", profile)
            : TypedResults.Ok(profile);
    }

    public sealed record MemberList(IReadOnlyList<MemberProfile> Members, long Total);

    private static async Task<Results<Ok<MemberList>, ValidationProblem>> ListFlagged(
        string programId, RouteProgram route, MemberStore members, bool? flagged = null, int? offset = null, int? limit = null)
    {
        var v = new Validation()
            .Check(flagged == true, "flagged", "Required: true (only the flagged members are listed).")
            .CheckPage(offset, limit);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var (page, total) = await members.FlaggedAsync(programId, offset ?? 0, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new MemberList(page, total));
    }

    private static async Task<Results<Ok<MemberProfile>, NotFoundProblem>> Unflag(
        string programId, string memberId, RouteProgram route, MemberStore members)
    {
        return Ids.IsValidId(memberId) && await members.UnflagAsync(programId, memberId)
            ? TypedResults.Ok((await members.FindAsync(programId, memberId))!)
            : MemberNotFound(memberId);
    }

    private static Task<Results<Ok<MemberProfile>, NotFoundProblem, ConflictProblem>> Suspend(
        string programId, string memberId, RouteProgram route, MemberStore members) => ChangeStatus(programId, memberId, StatusChange.Suspend, route, members);

    private static Task<Results<Ok<MemberProfile>, NotFoundProblem, ConflictProblem>> Reinstate(
        string programId, string memberId, RouteProgram route, MemberStore members) => ChangeStatus(programId, memberId, StatusChange.Reinstate, route, members);

    private static async Task<Results<NoContent, NotFoundProblem>> Erase(string programId, string memberId, RouteProgram route, MemberStore members)
    {
        var program = route.Program;
        var (outcome, _) = Ids.IsValidId(memberId) ? await members.ChangeStatusAsync(program, memberId, StatusChange.Erase) : (StatusChangeOutcome.NotFound, null);
        return outcome == StatusChangeOutcome.NotFound ? MemberNotFound(memberId) : TypedResults.NoContent();
    }

    private static async Task<Results<Ok<MemberProfile>, NotFoundProblem, ConflictProblem>> ChangeStatus(
        string programId, string memberId, StatusChange change, RouteProgram route, MemberStore members)
    {
        var program = route.Program;
        var (outcome, status) = Ids.IsValidId(memberId) ? await members.ChangeStatusAsync(program, memberId, change) : (StatusChangeOutcome.NotFound, null);
        return outcome switch
        {
            StatusChangeOutcome.NotFound => MemberNotFound(memberId),
            StatusChangeOutcome.Conflict => Problems.Conflict($"Cannot {change.ToWire()} a member who is {status}."),
            StatusChangeOutcome.Done => TypedResults.Ok((await members.FindAsync(program.Id, memberId))!),
        };
    }

    private static async Task<Results<Ok<MemberProfile>, NotFoundProblem>> GetMember(
        string programId, string memberId, RouteProgram route, MemberStore members)
    {
        var program = route.Program;
        var profile = Ids.IsValidId(memberId) ? await members.FindWithProgressAsync(program, memberId) : null;
        return profile is null ? MemberNotFound(memberId) : TypedResults.Ok(profile);
    }

    private static async Task<Results<Ok<LedgerPage>, ValidationProblem, NotFoundProblem>> GetLedger(
        string programId, string memberId, RouteProgram route, MemberStore members, int? limit = null, string? cursor = null)
    {
        LedgerCursor parsed = default;
        var v = new Validation()
            .Check(limit is null or >= 1 and <= MemberLimits.MaxLedgerPage, "limit", $"1 to {MemberLimits.MaxLedgerPage}.")
            .Check(cursor is null || LedgerCursor.TryParse(cursor, out parsed), "cursor", "Use the nextCursor of the previous page.");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var page = Ids.IsValidId(memberId)
            ? await members.LedgerAsync(route.Program, memberId, limit ?? MemberLimits.DefaultLedgerPage, cursor is null ? null : parsed)
            : null;
        return page is null ? MemberNotFound(memberId) : TypedResults.Ok(page);
    }

    public static NotFoundProblem MemberNotFound(string memberId) =>
        Problems.NotFound($"No member '{(Ids.IsValidId(memberId) ? memberId : "(invalid id)")}' in this program.");
}
