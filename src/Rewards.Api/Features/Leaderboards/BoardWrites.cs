using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Leaderboards;

/// <summary>
/// The boards one points change touches: 'points' and the activity type's board, all-time and in the day, week and month
/// of the activity's local date. Returns the 8 keys and 6 arguments the Lua board library (boards.lua) expects.
/// </summary>
public static class BoardWrites
{
    public static (RedisKey[] Keys, RedisValue[] Args) For(ProgramSnapshot program, string activityType, DateOnly localDate, DateTimeOffset now)
    {
        var windows = LeaderboardWindow.Periodic.Select(k => LeaderboardWindow.Containing(k, localDate, program.Zone)).ToArray();
        RedisKey[] keys = [.. Keys(program.Id, ProgramRules.PointsBoard, windows), .. Keys(program.Id, activityType, windows)];
        var retention = program.Definition.LeaderboardRetention;
        RedisValue[] args =
        [
            .. windows.Select(w => (RedisValue)w.Start!.Value.ToUnixTimeSeconds()),
            // Relative time to live, so that Redis's own clock applies it.
            .. windows.Select(w => (RedisValue)(long)Math.Ceiling((w.ExpiresAt(retention) - now).TotalSeconds)),
        ];
        return (keys, args);
    }

    private static IEnumerable<RedisKey> Keys(string programId, string board, LeaderboardWindow[] windows) =>
        windows.Select(w => RedisKeys.Leaderboard(programId, board, LeaderboardWindow.Name(w.Kind), w.PeriodId))
            .Prepend(RedisKeys.Leaderboard(programId, board, "all", null));
}
