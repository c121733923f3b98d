using Hangfire;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Lots;

/// <summary>
/// The recurring expiry job: every quarter hour (every zone's local midnight falls on one), for each program, expires the lots
/// whose expiry date has ended in the program's time zone (LotStore.ExpireAsync). Exactly once: each lot is removed in the same
/// script run that writes its 'expiry' ledger entry and lowers the balance, so re-runs, crashes and concurrent instances
/// change nothing twice. Programs without lots cost one short script run each. Then, for programs with expiringNoticeDays,
/// the 'points.expiring' pass (LotStore.NoticeAsync: once per local day, each lot announced once).
/// </summary>
public sealed partial class LotExpiryJob(IConnectionMultiplexer redis, ProgramStore programs, LotStore lots,
    ILogger<LotExpiryJob> logger)
{
    public const string Cron = "*/15 * * * *";

    [AutomaticRetry(Attempts = 5)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task ExpireAllAsync()
    {
        var db = redis.GetDatabase();
        // Real time (the job's duration; scripts/bench expiry reads it); each program's local date comes from the API clock.
        var startedAt = TimeProvider.System.GetUtcNow();
        var ids = await db.SortedSetRangeByRankAsync(RedisKeys.ProgramIndex);
        long total = 0, points = 0, noticed = 0;
        foreach (var id in ids)
        {
            if (await programs.FindAsync(id.ToString()) is { } program)
            {
                var pass = await lots.ExpireAsync(program);
                total += pass.Lots;
                points += pass.Points;
                // After the expiry, so that what is announced is what is still there: 'points.expiring' (expiringNoticeDays).
                noticed += (await lots.NoticeAsync(program)).Lots;
            }
        }
        await db.HashSetAsync(RedisKeys.LotExpiryPass, [
            new("startedAt", startedAt.ToUnixTimeMilliseconds()), new("finishedAt", TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds()),
            new("programs", ids.Length), new("lots", total), new("points", points), new("noticed", noticed)]);
        LogExpired(logger, ids.Length, total, points, noticed);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Expiry pass over {Programs} programs: {Lots} lots, {Points} points expired; {Noticed} lots announced as expiring")]
    private static partial void LogExpired(ILogger logger, int programs, long lots, long points, long noticed);
}
