using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Leaderboards;

/// <summary>
/// The boards one points change touches: 'points' and the activity type's board, all-time and in the day, week and month
/// of the activity's local date, with each window's period id and remaining time to live (s), and the program's commit
/// sequence (ties follow it). The keys and arguments of the Lua module boards.lua (spliced into the award and moderation
/// scripts' own).
/// </summary>
[LuaScript("boards")]
public sealed record BoardWrites(
    RedisKey Sequence, RedisKey PointsAll, RedisKey PointsDay, RedisKey PointsWeek, RedisKey PointsMonth,
    RedisKey TypeAll, RedisKey TypeDay, RedisKey TypeWeek, RedisKey TypeMonth,
    string TypeBoard, string DayPeriod, string WeekPeriod, string MonthPeriod, long DayTtl, long WeekTtl, long MonthTtl) : IScriptArgs
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
            Ttl(day), Ttl(week), Ttl(month));

        LeaderboardWindow Window(WindowKind kind) => LeaderboardWindow.Containing(kind, localDate, program.Zone);
    }
}
