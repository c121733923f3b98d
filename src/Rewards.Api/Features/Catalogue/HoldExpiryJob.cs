using Hangfire;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Catalogue;

/// <summary>
/// Every minute, releases each program's redemption holds past their expiry (state expired: points, stock and limit slots
/// back). Idempotent: a released hold leaves the program's holds set in the same script run, so re-runs and concurrent runs
/// on several instances release each hold once. Holds are also released by the next redemption and by any move of the
/// redemption itself, so a late job never keeps stock stuck.
/// </summary>
public sealed partial class HoldExpiryJob(IConnectionMultiplexer redis, ProgramStore programs, RewardStore rewards, TimeProvider clock,
    ILogger<HoldExpiryJob> logger)
{
    [AutomaticRetry(Attempts = 3)]
    public async Task RunAllAsync()
    {
        var programIds = await redis.GetDatabase().SortedSetRangeByRankAsync(RedisKeys.ProgramIndex);
        long released = 0;
        foreach (var id in programIds)
        {
            released += await RunAsync(id.ToString());
        }
        if (released > 0)
        {
            LogReleased(logger, released, programIds.Length);
        }
    }

    /// <summary>Releases one program's due holds; answers how many it examined.</summary>
    public async Task<long> RunAsync(string programId)
    {
        var program = await programs.FindAsync(programId);
        return program is null ? 0 : await rewards.SweepAsync(program, clock.GetUtcNow());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Released {Released} expired redemption holds in {Programs} programs")]
    private static partial void LogReleased(ILogger logger, long released, int programs);
}
