using Microsoft.AspNetCore.Http.HttpResults;
using Rewards.Api.Features.Gamification;
using Rewards.Api.Features.Leaderboards;

namespace Rewards.Api.Features.Programs;

/// <summary>
/// The public face of a program, for apps and brand sites: how to earn (points, caps, cooldown, approval per activity type), the
/// tier ladder, the badge catalogue with criteria and the leaderboards. Nothing an operator keeps to itself: no clients, no CORS
/// origins, no anti-gaming thresholds (velocity), no settings version.
/// </summary>
public static class ProgramCardApi
{
    /// <param name="PointsExpiry">When points expire: 'none', a rolling period after earning ('P12M') or 'endOf:year+1'-style (docs/points-expiry.md).</param>
    public sealed record ProgramCard(string Id, string Name, string TimeZone, IReadOnlyList<ActivityCard> Activities, IReadOnlyList<Tier> Tiers,
        IReadOnlyList<Badge> Badges, IReadOnlyList<BoardCard> Leaderboards, string PointsExpiry);

    /// <summary>How one activity type earns: caps count per member per local day / ISO week of the program's time zone.</summary>
    public sealed record ActivityCard(string Type, int Points, int? DailyCap, int? WeeklyCap, bool UniquePerTarget, int? CooldownSeconds,
        bool RequiresApproval);

    /// <summary>A board and its windows; `pastPeriods` past periods of each window stay readable (archives, `period`).</summary>
    public sealed record BoardCard(string Board, IReadOnlyList<WindowKind> Windows, int PastPeriods);

    private static readonly WindowKind[] Windows = Enum.GetValues<WindowKind>();

    public static Ok<ProgramCard> Handle(string programId, RouteProgram route)
    {
        var program = route.Program.Definition;
        var activities = program.Rules.Select(r => new ActivityCard(r.Key, r.Value.Points, r.Value.DailyCap, r.Value.WeeklyCap,
            r.Value.UniquePerTarget, r.Value.CooldownSeconds, r.Value.RequiresApproval)).ToList();
        var boards = new[] { ProgramRules.PointsBoard }.Concat(program.Rules.Keys)
            .Select(board => new BoardCard(board, Windows, program.LeaderboardRetention)).ToList();
        return TypedResults.Ok(new ProgramCard(program.Id, program.Name, program.TimeZone, activities, program.Tiers ?? [], program.Badges ?? [], boards,
            route.Program.Expiry.Text));
    }
}
