using Microsoft.AspNetCore.Http.HttpResults;
using Rewards.Api.Features.Activities;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Errors;
using static Rewards.Api.Features.Leaderboards.LeaderboardLimits;

namespace Rewards.Api.Features.Leaderboards;

/// <summary>The bounds of leaderboard queries (an archive holds the top <see cref="LeaderboardStore.ArchiveSize"/>).</summary>
public static class LeaderboardLimits
{
    public const int DefaultLimit = 10;
    public const int MaxLimit = 100;
    public const int MaxOffset = 1_000_000;
    public const int DefaultAround = 5;
    public const int MaxAround = 50;
}

public static class LeaderboardsApi
{
    public static IServiceCollection AddLeaderboardsFeature(this IServiceCollection services) =>
        services.AddSingleton<LeaderboardStore>().AddSingleton<WindowCloseJob>();

    public static RouteGroupBuilder MapLeaderboardsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/programs/{programId}/leaderboards/{board}")
            .RequireProgram()
            .WithTags("Leaderboards")
            .RequireAuthorization(Policies.MemberRead);

        group.MapGet("/", GetLeaderboard)
            .WithName(nameof(GetLeaderboard))
            .WithSummary("A page of a leaderboard")
            .WithDescription("Boards: `points` and one per activity type. `window`: all (default), day, week (Monday start) or month, in the " +
                "program's time zone. `period` (2026-11-21, 2026-W47, 2026-11) picks a past period within retention; omitted, the current one. " +
                "Equal scores rank whoever reached them first higher.");
        group.MapGet("/members/{memberId}", GetStanding)
            .WithName(nameof(GetStanding))
            .WithSummary("A member's rank and score, with neighbours")
            .WithDescription($"Up to `around` (0–{MaxAround}, default {DefaultAround}) entries each side, fewer at the edges. 404 when the member has no score in that window.");
        group.MapGet("/archives/{period}", GetArchive)
            .WithName(nameof(GetArchive))
            .WithSummary($"The final top {LeaderboardStore.ArchiveSize} of a closed period")
            .WithDescription("Written once, when the period ends in the program's time zone. Contributions recorded later for that period " +
                $"(activities may be backdated up to {ActivityLimits.MaxAge.TotalDays:0} days) count on the live window, not in its archive. Display names are the members' " +
                "current ones; erased members are left out, and the others keep their archived ranks.");
        return group;
    }

    public sealed record LeaderboardPage(string Board, WindowKind Window, string? Period, DateTimeOffset? WindowStart, DateTimeOffset? NextResetAt,
        long Total, IReadOnlyList<LeaderboardEntry> Entries);

    public sealed record MemberStanding(string Board, WindowKind Window, string? Period, DateTimeOffset? WindowStart, DateTimeOffset? NextResetAt,
        string MemberId, long Rank, long Score, IReadOnlyList<LeaderboardEntry> Entries);

    private static async Task<Results<Ok<LeaderboardPage>, ValidationProblem, NotFoundProblem>> GetLeaderboard(
        string programId, string board, RouteProgram route, LeaderboardStore leaderboards, TimeProvider clock,
        [WireValues(typeof(WindowKind))] string? window = null, string? period = null, int? offset = null, int? limit = null)
    {
        var program = route.Program;
        var v = new Validation()
            .Check(offset is null or >= 0 and <= MaxOffset, "offset", $"0 to {MaxOffset:N0}.")
            .Check(limit is null or >= 1 and <= MaxLimit, "limit", $"1 to {MaxLimit}.");
        var (resolved, problem) = Resolve(program, board, window, period, clock.GetUtcNow(), v);
        if (problem is not null)
        {
            return problem;
        }
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var slice = await leaderboards.TopAsync(program.Id, board, resolved!, offset ?? 0, limit ?? DefaultLimit);
        return TypedResults.Ok(new LeaderboardPage(board, resolved!.Kind, resolved.PeriodId, resolved.Start, resolved.End,
            slice.Total, slice.Entries));
    }

    private static async Task<Results<Ok<MemberStanding>, ValidationProblem, NotFoundProblem>> GetStanding(
        string programId, string board, string memberId, RouteProgram route, LeaderboardStore leaderboards, TimeProvider clock,
        [WireValues(typeof(WindowKind))] string? window = null, string? period = null, int? around = null)
    {
        var program = route.Program;
        var v = new Validation().Check(around is null or >= 0 and <= MaxAround, "around", $"0 to {MaxAround}.");
        var (resolved, problem) = Resolve(program, board, window, period, clock.GetUtcNow(), v);
        if (problem is not null)
        {
            return problem;
        }
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var slice = Ids.IsValidId(memberId) ? await leaderboards.AroundAsync(program.Id, board, resolved!, memberId, around ?? DefaultAround) : null;
        var own = slice?.Entries.FirstOrDefault(e => e.Rank == slice.MemberRank);
        if (slice is null || own is null)
        {
            return Problems.NotFound($"Member '{(Ids.IsValidId(memberId) ? memberId : "(invalid id)")}' has no score on this board in this window.");
        }
        return TypedResults.Ok(new MemberStanding(board, resolved!.Kind, resolved.PeriodId, resolved.Start, resolved.End,
            memberId, own.Rank, own.Score, slice.Entries));
    }

    private static async Task<Results<Ok<LeaderboardArchive>, NotFoundProblem>> GetArchive(
        string programId, string board, string period, RouteProgram route, LeaderboardStore leaderboards, TimeProvider clock)
    {
        var program = route.Program;
        if (!program.Definition.HasBoard(board, clock.GetUtcNow(), program.Zone))
        {
            return BoardNotFound(board);
        }
        var archive = LeaderboardWindow.Periodic.Any(k => LeaderboardWindow.Parse(k, period, program.Zone) is not null)
            ? await leaderboards.FindArchiveAsync(program.Id, board, period)
            : null;
        return archive is null ? Problems.NotFound($"No archive of '{board}' for period '{Problems.Excerpt(period)}' (open, too old, or malformed).") : TypedResults.Ok(archive);
    }

    /// <summary>The board and window period a query names: 404 for an unknown board or a period outside retention, 400 for malformed input.</summary>
    private static (LeaderboardWindow? Window, NotFoundProblem? Problem) Resolve(
        ProgramSnapshot program, string board, string? window, string? period, DateTimeOffset now, Validation v)
    {
        if (!program.Definition.HasBoard(board, now, program.Zone))
        {
            return (null, BoardNotFound(board));
        }
        if (!LeaderboardWindow.TryParseKind(window, out var kind))
        {
            v.Add("window", "One of all, day, week, month.");
            return (null, null);
        }
        if (kind == WindowKind.All)
        {
            v.Check(period is null, "period", "The all-time window has no period.");
            return (LeaderboardWindow.AllTime, null);
        }
        var current = LeaderboardWindow.Current(kind, now, program.Zone);
        if (period is null)
        {
            return (current, null);
        }
        var parsed = LeaderboardWindow.Parse(kind, period, program.Zone);
        if (parsed is null)
        {
            v.Add("period", kind switch
            {
                WindowKind.Day => "A local date such as 2026-11-21.",
                WindowKind.Week => "An ISO week such as 2026-W47.",
                _ => "A month such as 2026-11.",
            });
            return (null, null);
        }
        var oldest = current.Previous(program.Zone, program.Definition.LeaderboardRetention);
        if (parsed.Start > current.Start || parsed.Start < oldest.Start)
        {
            return (null, Problems.NotFound($"Period {period} is not kept: {LeaderboardWindow.Name(kind)} boards keep the current period and " +
                $"{program.Definition.LeaderboardRetention} past ones."));
        }
        return (parsed, null);
    }

    private static NotFoundProblem BoardNotFound(string board) =>
        Problems.NotFound($"No leaderboard '{Problems.Excerpt(board)}': boards are 'points' and the program's activity types (and types removed within retention).");
}
