using System.Text.Json;
using Hangfire;
using Rewards.Api.Infrastructure.Http;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Perks;

/// <summary>
/// Once per Redis, in the background after start: brings perks written before the news index and full deletion up to date.
/// News perks enter the news index; perks deleted the old way (status 'deleted', keys left behind) are deleted for good and
/// leave members' inboxes. Idempotent: instances starting together may both run it. Code pools need nothing: their set of
/// codes is seeded from the pool the first time codes are added (perk-codes.lua).
/// </summary>
public sealed partial class PerkIndexUpgrade(IConnectionMultiplexer redis, PerkStore perks, IServiceProvider services,
    ILogger<PerkIndexUpgrade> logger) : BackgroundService
{
    public static readonly RedisKey Done = "rw:upgrades:perk-indexes-1";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var db = redis.GetDatabase();
            if (await db.KeyExistsAsync(Done))
            {
                return;
            }
            var programs = await db.SortedSetRangeByRankAsync(RedisKeys.ProgramIndex);
            foreach (var program in programs)
            {
                stoppingToken.ThrowIfCancellationRequested();
                await UpgradeAsync(program.ToString());
            }
            await db.StringSetAsync(Done, ProgramTime.ToUnixMs(DateTimeOffset.UtcNow));
            LogDone(logger, programs.Length);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogFailed(logger, e); // the next start tries again
        }
    }

    /// <summary>Upgrades one program's perks; returns how many were indexed as news and how many deleted for good.</summary>
    public async Task<(int News, int Deleted)> UpgradeAsync(string programId)
    {
        var db = redis.GetDatabase();
        var ids = await db.SortedSetRangeByRankAsync(RedisKeys.PerkIndex(programId));
        var fields = await Task.WhenAll(ids.Select(id => db.HashGetAsync(RedisKeys.Perk(programId, id.ToString()), ["json", "status"])));
        int news = 0, deleted = 0;
        foreach (var (id, f) in ids.Select(i => i.ToString()).Zip(fields))
        {
            if (f[1] == PerkStatus.Deleted.ToWire() || f[0].IsNull)
            {
                if (await perks.DeleteAsync(programId, id))
                {
                    services.GetRequiredService<IBackgroundJobClient>().Enqueue<PerkCleanupJob>(j => j.RunAsync(programId, id, CancellationToken.None));
                }
                await db.SortedSetRemoveAsync(RedisKeys.PerkIndex(programId), id); // an index entry without a perk
                deleted++;
            }
            else if (JsonSerializer.Deserialize<PerkDefinition>(f[0].ToString(), HttpSetup.StoredJson) is { News: { } settings })
            {
                await db.SortedSetAddAsync(RedisKeys.NewsByPublicAt(programId), id, ProgramTime.ToUnixMs(settings.PublicAt), SortedSetWhen.NotExists);
                await db.SortedSetAddAsync(RedisKeys.NewsByEarlyAt(programId), id, ProgramTime.ToUnixMs(settings.EarlyAt), SortedSetWhen.NotExists);
                news++;
            }
        }
        return (news, deleted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Perk indexes upgraded in {Programs} programs")]
    private static partial void LogDone(ILogger logger, int programs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Perk index upgrade failed; it runs again at the next start")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
