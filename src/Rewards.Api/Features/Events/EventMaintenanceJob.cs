using Hangfire;
using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Events;

/// <summary>
/// Keeps every program's event stream within its retention by time (XTRIM MINID: the scripts trim by length as they
/// write, never by time, so the award path pays nothing for it) and deletes erased members' events (EventStore.ScrubErasedAsync).
/// Runs every 10 minutes; an erasure also queues <see cref="ScrubAsync"/> at once.
/// </summary>
public sealed partial class EventMaintenanceJob(IConnectionMultiplexer redis, EventStore events, ILogger<EventMaintenanceJob> logger)
{
    public const string Cron = "*/10 * * * *";

    [AutomaticRetry(Attempts = 5)]
    public async Task MaintainAllAsync()
    {
        var programIds = await redis.GetDatabase().SortedSetRangeByRankAsync(RedisKeys.ProgramIndex);
        long trimmed = 0;
        var scrubbed = 0;
        // Stream ids carry the Redis server's real time, so retention is measured on real time too.
        var now = TimeProvider.System.GetUtcNow();
        foreach (var id in programIds)
        {
            trimmed += await events.TrimAsync(id.ToString(), now);
            scrubbed += await events.ScrubErasedAsync(id.ToString());
        }
        LogMaintained(logger, programIds.Length, trimmed, scrubbed);
    }

    /// <summary>Deletes the events of the program's members erased since (queued by an erasure).</summary>
    [AutomaticRetry(Attempts = 10)]
    public Task ScrubAsync(string programId) => events.ScrubErasedAsync(programId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event streams of {Programs} programs maintained: {Trimmed} events past retention trimmed, {Scrubbed} erased members scrubbed")]
    private static partial void LogMaintained(ILogger logger, int programs, long trimmed, int scrubbed);
}
