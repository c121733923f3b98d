using Microsoft.AspNetCore.Http.HttpResults;
using Rewards.Api.Features.Leaderboards;
using Rewards.Api.Features.Perks;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure;

namespace Rewards.Api.Features.Members;

/// <summary>
/// Everything the program holds about one member, in one document (right of access): the profile with tier, badges,
/// streaks and flag, the perks and their states, the member's standing on every board of the current windows, and the
/// whole explained ledger (newest first, as the ledger endpoint pages it), last because it is streamed.
/// </summary>
public sealed record MemberExport(
    string ProgramId, DateTimeOffset ExportedAt, MemberProfile Profile, DateTimeOffset? FlaggedAt, IReadOnlyList<MemberPerk> Perks,
    IReadOnlyList<BoardStanding> Standings, IAsyncEnumerable<LedgerEntry> Ledger);

/// <summary>Where the member stands on a board in one window: <c>Period</c> is null for all-time.</summary>
public sealed record BoardStanding(string Board, WindowKind Window, string? Period, long Rank, long Score);

public static class ExportMember
{
    /// <summary>The ledger is read in pages of this many entries (one round trip each), newest first.</summary>
    public const int LedgerPageSize = 1000;

    public static async Task<Results<Ok<MemberExport>, Infrastructure.Errors.NotFoundProblem>> Handle(
        string programId, string memberId, RouteProgram route, MemberStore members, PerkStore perks, LeaderboardStore leaderboards,
        TimeProvider clock)
    {
        var program = route.Program;
        if (!Ids.IsValidId(memberId))
        {
            return MembersApi.MemberNotFound(memberId);
        }
        var flaggedAt = members.FlaggedAtAsync(program.Id, memberId);
        if (await members.FindWithProgressAsync(program, memberId) is not { } profile)
        {
            return MembersApi.MemberNotFound(memberId);
        }
        var now = clock.GetUtcNow();
        var inbox = perks.InboxAsync(program.Id, memberId);
        var boards = await members.BoardsOfAsync(program, memberId);
        var windows = LeaderboardWindow.Periodic.Select(kind => LeaderboardWindow.Current(kind, now, program.Zone))
            .Prepend(LeaderboardWindow.AllTime).ToList();
        var reads = boards.SelectMany(board => windows.Select(async window =>
            (Board: board, Window: window, Slice: await leaderboards.AroundAsync(program.Id, board, window, memberId, 0)))).ToList();
        var standings = (await Task.WhenAll(reads))
            .Where(r => r.Slice is not null)
            .Select(r => new BoardStanding(r.Board, r.Window.Kind, r.Window.PeriodId, r.Slice!.MemberRank,
                r.Slice.Entries.First(e => e.Rank == r.Slice.MemberRank).Score))
            .ToList();

        // The ledger is read page by page while the document is written: memory holds one page, whatever the ledger's length.
        return TypedResults.Ok(new MemberExport(program.Id, now, profile, await flaggedAt, await inbox, standings,
            LedgerAsync(members, program, memberId)));
    }

    private static async IAsyncEnumerable<LedgerEntry> LedgerAsync(MemberStore members, ProgramSnapshot program, string memberId)
    {
        LedgerCursor? cursor = null;
        do
        {
            // The member was erased while the document was being written: it is cut off (the response aborts) rather than
            // ending as if complete.
            var page = await members.LedgerAsync(program, memberId, LedgerPageSize, cursor)
                ?? throw new InvalidOperationException($"Member '{memberId}' was erased during their export.");
            foreach (var entry in page.Entries)
            {
                yield return entry;
            }
            cursor = page.NextCursor is { } next && LedgerCursor.TryParse(next, out var parsed) ? parsed : null;
        } while (cursor is not null);
    }
}
