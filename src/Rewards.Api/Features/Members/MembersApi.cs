using Hangfire;
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
        services.AddSingleton<MemberStore>().AddTransient<LedgerMigrationJob>().AddHostedService<LedgerMigrationStartup>();

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
        group.MapGet("/", ListMembers)
            .WithName(nameof(ListMembers))
            .RequireAuthorization(Policies.ActivitiesOrRead)
            .WithSummary("List members: all, by id or display-name prefix, filtered by status, tier or flag")
            .WithDescription("Oldest first (first seen); with `idPrefix` by member id, with `namePrefix` by display name (ASCII letters " +
                "compared case-insensitively; with both, by id, keeping the names that start with `namePrefix`); `flagged=true` alone lists the members flagged for review by member id. " +
                "`status` (active, suspended), `tier` (a tier name, or `none`) and `flagged` filter the list: a filtered page reads at most " +
                "1,000 members, so it may hold fewer than `limit` (even none) — continue from `nextOffset` until it is null. " +
                "`total` counts the members matching the prefix (all members without one), before the filters. Erased members are never listed. " +
                Paging.Description);
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
            .WithDescription($"Each entry says what happened and why. Page with `limit` (1–{MemberLimits.MaxLedgerPage}, default {MemberLimits.DefaultLedgerPage}) and the `nextCursor` of the previous page. " +
                "An entry's `id` is `e` and its position in the member's ledger (`e1` = the oldest; it never changes), or, for entries " +
                "recorded before ledger ids took that form, the id it had then (`<ms>-<seq>`): both are cursors, and cursors handed out " +
                "before keep working.");
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

    /// <param name="NextOffset">Where the next page starts (`offset`); null when the list is done.</param>
    public sealed record MemberList(IReadOnlyList<MemberProfile> Members, long Total, long? NextOffset);

    private static async Task<Results<Ok<MemberList>, ValidationProblem>> ListMembers(
        string programId, RouteProgram route, MemberStore members, string? status = null, string? tier = null, bool? flagged = null,
        string? idPrefix = null, string? namePrefix = null, int? offset = null, int? limit = null)
    {
        var tiers = route.Program.Definition.Tiers ?? [];
        var tierIndex = tier is null ? (int?)null
            : tier == "none" ? 0
            : tiers.Select((t, i) => (t.Name, Number: i + 1)).FirstOrDefault(t => t.Name == tier).Number is var n and > 0 ? n : -1;
        var v = new Validation()
            .Check(status is null or "active" or "suspended", "status", "When given: active or suspended (erased members are never listed).")
            .Check(tierIndex is null or >= 0, "tier", tiers.Count == 0
                ? "When given: none (this program has no tiers)."
                : $"When given: none or one of the program's tiers: {string.Join(", ", tiers.Select(t => t.Name))}.")
            .Check(idPrefix is null || Ids.IsValidId(idPrefix), "idPrefix",
                "When given: the start of a member id (letters, digits, '-', '_', '.', at most 64).")
            .Check(namePrefix is null || Ids.IsPlainText(namePrefix, MemberLimits.MaxDisplayNameLength), "namePrefix",
                $"When given: the start of a display name, 1–{MemberLimits.MaxDisplayNameLength} characters of plain text.")
            .CheckPage(offset, limit);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        int from = offset ?? 0, count = limit ?? Paging.DefaultLimit;
        if (flagged == true && status is null && tier is null && idPrefix is null && namePrefix is null)
        {
            var (flaggedPage, flaggedTotal) = await members.FlaggedAsync(programId, from, count);
            return TypedResults.Ok(new MemberList(flaggedPage, flaggedTotal, from + count < flaggedTotal ? from + count : null));
        }
        var query = new MemberListQuery(idPrefix, namePrefix,
            status is null ? null : WireCode<MemberStatus>.Parse(status), tierIndex, flagged);
        var (page, total, next) = await members.ListAsync(programId, query, from, count);
        return TypedResults.Ok(new MemberList(page, total, next));
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

    private static async Task<Results<NoContent, NotFoundProblem>> Erase(string programId, string memberId, RouteProgram route, MemberStore members,
        IBackgroundJobClient jobs)
    {
        var program = route.Program;
        var (outcome, _) = Ids.IsValidId(memberId) ? await members.ChangeStatusAsync(program, memberId, StatusChange.Erase) : (StatusChangeOutcome.NotFound, null);
        if (outcome == StatusChangeOutcome.NotFound)
        {
            return MemberNotFound(memberId);
        }
        // The erasure's own run listed the member for scrubbing; the job deletes their events (and EventMaintenanceJob would).
        jobs.Enqueue<Events.EventMaintenanceJob>(j => j.ScrubAsync(program.Id));
        return TypedResults.NoContent();
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
