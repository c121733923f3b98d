using System.Collections.Concurrent;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Leaderboards;

/// <summary>
/// The boards one points change touches: 'points' and the activity type's board, all-time and in the day, week and month
/// of the activity's local date, with each window's period id and remaining time to live (s), and the program's commit
/// sequence (ties follow it), and per window the oldest period whose board may still exist now (older period fields of the
/// member are dropped: boards.lua). The keys and arguments of the Lua module boards.lua (spliced into the award and
/// moderation scripts' own).
/// </summary>
[LuaScript("boards")]
public sealed record BoardWrites(
    RedisKey Sequence, RedisKey PointsAll, RedisKey PointsDay, RedisKey PointsWeek, RedisKey PointsMonth,
    RedisKey TypeAll, RedisKey TypeDay, RedisKey TypeWeek, RedisKey TypeMonth,
    string TypeBoard, string DayPeriod, string WeekPeriod, string MonthPeriod, long DayTtl, long WeekTtl, long MonthTtl,
    string DayCutoff, string WeekCutoff, string MonthCutoff) : IScriptArgs
{
    public static BoardWrites For(ProgramSnapshot program, string activityType, DateOnly localDate, DateTimeOffset now)
    {
        var (day, week, month) = (Window(WindowKind.Day), Window(WindowKind.Week), Window(WindowKind.Month));
        var retention = program.Definition.LeaderboardRetention;
        // Relative time to live, so that Redis's own clock applies it.
        long Ttl(LeaderboardWindow w) => (long)Math.Ceiling((w.ExpiresAt(retention) - now).TotalSeconds);
        RedisKey Key(string board, LeaderboardWindow? w) => w is null
            ? RedisKeys.Leaderboard(program.Id, board, "all", null)
            : RedisKeys.Leaderboard(program.Id, board, LeaderboardWindow.Name(w.Kind), w.PeriodId);
        const string points = ProgramRules.PointsBoard;
        return new BoardWrites(
            RedisKeys.BoardSequence(program.Id), Key(points, null), Key(points, day), Key(points, week), Key(points, month),
            Key(activityType, null), Key(activityType, day), Key(activityType, week), Key(activityType, month),
            activityType, day.PeriodId!, week.PeriodId!, month.PeriodId!,
            Ttl(day), Ttl(week), Ttl(month),
            Cutoff(program, WindowKind.Day, now), Cutoff(program, WindowKind.Week, now), Cutoff(program, WindowKind.Month, now));

        LeaderboardWindow Window(WindowKind kind) => LeaderboardWindow.Containing(kind, localDate, program.Zone);
    }

    /// <summary>
    /// The id of the oldest period of a window whose board may still exist at <paramref name="now"/> (its
    /// <see cref="LeaderboardWindow.ExpiresAt"/> is later): a member's period fields of older periods name boards that are gone.
    /// Period ids of one window sort as their periods do, so the script compares ids. It changes once a period: cached.
    /// </summary>
    public static string Cutoff(ProgramSnapshot program, WindowKind kind, DateTimeOffset now)
    {
        var current = LeaderboardWindow.Current(kind, now, program.Zone);
        var retention = program.Definition.LeaderboardRetention;
        var key = (program.Zone.Id, kind, current.PeriodId!, retention);
        if (Cutoffs.TryGetValue(key, out var cached) && now >= cached.ValidFrom && now < cached.ValidUntil)
        {
            return cached.Id;
        }
        // Walk back while the previous period's board is still kept (bounded by the retention and its day of slack).
        var oldest = current;
        for (var i = 0; i <= retention + 2; i++)
        {
            var previous = oldest.Previous(program.Zone);
            if (previous.ExpiresAt(retention) <= now)
            {
                break;
            }
            oldest = previous;
        }
        // The answer holds from when the period before the oldest expired (or this period began) until the oldest kept board
        // expires (the next period is then the oldest) or this period ends.
        var before = oldest.Previous(program.Zone).ExpiresAt(retention);
        var validFrom = before > current.Start!.Value && before <= now ? before : current.Start!.Value;
        var expires = oldest.ExpiresAt(retention);
        var validUntil = expires < current.End!.Value ? expires : current.End!.Value;
        if (Cutoffs.Count > 10_000)
        {
            Cutoffs.Clear();
        }
        Cutoffs[key] = (oldest.PeriodId!, validFrom, validUntil);
        return oldest.PeriodId!;
    }

    private static readonly ConcurrentDictionary<(string Zone, WindowKind Kind, string Current, int Retention),
        (string Id, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil)> Cutoffs = new();
}
