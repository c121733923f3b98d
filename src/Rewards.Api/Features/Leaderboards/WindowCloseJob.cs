using Hangfire;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Leaderboards;

/// <summary>
/// Archives the final top 100 of every board once a period has ended in each program's time zone. Archives are
/// written only when absent, so re-runs and concurrent runs on several instances change nothing. A few earlier
/// periods are checked too, so that a stretch of downtime leaves no gap.
/// </summary>
public sealed partial class WindowCloseJob(IConnectionMultiplexer redis, ProgramStore programs, LeaderboardStore leaderboards,
    TimeProvider clock, ILogger<WindowCloseJob> logger)
{
    public const int CatchUpPeriods = 3;

    [AutomaticRetry(Attempts = 5)]
    public async Task CloseAllAsync(WindowKind kind)
    {
        var programIds = await redis.GetDatabase().SortedSetRangeByRankAsync(RedisKeys.ProgramIndex);
        var written = 0;
        foreach (var id in programIds)
        {
            written += await CloseAsync(id.ToString(), kind);
        }
        LogClosed(logger, LeaderboardWindow.Name(kind), programIds.Length, written);
    }

    /// <summary>Archives the program's closed periods of <paramref name="kind"/> that lack an archive; returns how many it wrote.</summary>
    public async Task<int> CloseAsync(string programId, WindowKind kind)
    {
        var program = await programs.FindAsync(programId, reload: true);
        if (program is null)
        {
            return 0;
        }
        var written = 0;
        var period = LeaderboardWindow.Current(kind, clock.GetUtcNow(), program.Zone).Previous(program.Zone);
        for (var i = 0; i < CatchUpPeriods && period.End > program.CreatedAt; i++, period = period.Previous(program.Zone))
        {
            foreach (var board in program.Definition.Boards(clock.GetUtcNow(), program.Zone))
            {
                written += await leaderboards.ArchiveAsync(program, board, period) ? 1 : 0;
            }
        }
        return written;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed {Window} windows of {Programs} programs: {Written} archives written")]
    private static partial void LogClosed(ILogger logger, string window, int programs, int written);
}
