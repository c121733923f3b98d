using System.Globalization;
using Microsoft.Extensions.Options;
using Rewards.Api.Features.Insights;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Lots;

/// <summary>Points of one lot that have not expired yet: the last local day they can be spent, the instant they expire, how many.</summary>
public sealed record UpcomingExpiry(DateOnly ExpiresOn, DateTimeOffset ExpiresAt, long Points);

/// <summary>What one expiry pass over a program did.</summary>
public sealed record ExpiryPass(long Members, long Lots, long Points);

/// <summary>What one 'points.expiring' pass over a program did (Skipped: it had already run for this horizon).</summary>
public sealed record NoticePass(bool Skipped, long Members, long Told, long Lots, long Points);

/// <summary>The Redis access of lots (Scripts/lots.lua writes them inside the award, moderation and adjustment scripts).</summary>
public sealed class LotStore(IConnectionMultiplexer redis, RewardsScripts scripts, TimeProvider clock, IOptions<InsightsOptions> insights,
    IOptions<Events.EventsOptions> events)
{
    /// <summary>Members one run of lots-expire.lua handles: small enough to keep a run short (~10 ms), large enough to be quick.</summary>
    public const int ExpiryChunk = 500;

    /// <summary>
    /// Expires every due lot of the program: lots whose expiry date is before today in the program's zone, one script run per
    /// chunk of members until a run finds fewer due members than a chunk. Safe to run again or concurrently (see lots-expire.lua).
    /// </summary>
    public async Task<ExpiryPass> ExpireAsync(ProgramSnapshot program)
    {
        var db = redis.GetDatabase();
        var now = clock.GetUtcNow();
        var localToday = ProgramTime.LocalDate(now, program.Zone);
        var today = LotDates.Format(localToday);
        long members = 0, lots = 0, points = 0;
        while (true)
        {
            var r = (RedisResult[])(await scripts.ExpireLots.RunAsync(db, ScriptArgs<ExpireLotsScript>.Build(new(
                RedisKeys.LotsDue(program.Id), RedisKeys.Stats(program.Id, ProgramTime.DayId(localToday)), RedisKeys.Events(program.Id),
                today, ProgramTime.ToUnixMs(now), RedisKeys.MemberPrefix(program.Id), ExpiryChunk, insights.Value.RetentionSeconds,
                "expiry-" + today, events.Value.ScriptMaxLength))))!;
            members += (long)r[0];
            lots += (long)r[1];
            points += (long)r[2];
            if ((long)r[0] < ExpiryChunk)
            {
                return new ExpiryPass(members, lots, points);
            }
        }
    }

    /// <summary>Members one run of lots-notice.lua visits.</summary>
    public const int NoticeChunk = 500;

    /// <summary>
    /// The 'points.expiring' pass (docs/points-expiry.md, "Expiring soon"): when the program's expiringNoticeDays is N &gt; 0, announces
    /// to each member the lots expiring by the horizon (local today + N - 1: the lots whose points expire within N days, at a
    /// local midnight), one script run per chunk of due members. Runs once per horizon: the last complete pass's horizon is kept
    /// (RedisKeys.LotsNotice), so the 15-minute job reads the due set once per local day, or again when the setting moves the
    /// horizon. A crash before the end leaves the horizon unrecorded: the next run goes over it again, and the members' marks
    /// keep anything from being announced twice (lots-notice.lua).
    /// </summary>
    public async Task<NoticePass> NoticeAsync(ProgramSnapshot program, int chunk = NoticeChunk)
    {
        var days = program.Definition.ExpiringNoticeDays ?? 0;
        if (days <= 0)
        {
            return new NoticePass(true, 0, 0, 0, 0);
        }
        var db = redis.GetDatabase();
        var now = clock.GetUtcNow();
        var localToday = ProgramTime.LocalDate(now, program.Zone);
        var horizon = LotDates.Format(localToday.AddDays(days - 1));
        var passKey = RedisKeys.LotsNotice(program.Id);
        if (await db.StringGetAsync(passKey) == horizon)
        {
            return new NoticePass(true, 0, 0, 0, 0);
        }
        var dates = string.Join(',', Enumerable.Range(0, days).Select(i => localToday.AddDays(i)).Select(d =>
            LotDates.Format(d) + "=" + LotDates.ExpiresAt(d, program.Zone).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
        long start = 0, members = 0, told = 0, lots = 0, points = 0;
        while (true)
        {
            // By rank: members keep their place in the due set (announcing moves nothing), so the next chunk starts after this
            // one. An award adding a member ahead of it makes the pass read one member twice (harmless: the mark); one leaving
            // ahead of it (erasure) makes it miss one, announced by the next day's pass.
            var r = (RedisResult[])(await scripts.NoticeLots.RunAsync(db, ScriptArgs<NoticeLotsScript>.Build(new(
                RedisKeys.LotsDue(program.Id), RedisKeys.Events(program.Id), start, horizon, ProgramTime.ToUnixMs(now),
                RedisKeys.MemberPrefix(program.Id), chunk, dates, events.Value.ScriptMaxLength))))!;
            members += (long)r[0];
            told += (long)r[1];
            lots += (long)r[2];
            points += (long)r[3];
            if ((long)r[4] == 1)
            {
                // Kept two days: enough to skip the rest of the local day; a lost key only costs a pass that announces nothing.
                await db.StringSetAsync(passKey, horizon, TimeSpan.FromDays(2));
                return new NoticePass(false, members, told, lots, points);
            }
            start += chunk;
        }
    }

    /// <summary>The member's lots, earliest expiry first (at most one per expiry date, so a bounded list).</summary>
    public async Task<IReadOnlyList<UpcomingExpiry>> LotsAsync(ProgramSnapshot program, string memberId) =>
        ToUpcoming(await redis.GetDatabase().HashGetAllAsync(RedisKeys.MemberLots(program.Id, memberId)), program.Zone);

    public static IReadOnlyList<UpcomingExpiry> ToUpcoming(HashEntry[] lots, TimeZoneInfo zone) =>
        [.. lots.Select(e => (Date: LotDates.Parse(e.Name!), Points: (long)e.Value)).Where(l => l.Points > 0).OrderBy(l => l.Date)
            .Select(l => new UpcomingExpiry(l.Date, LotDates.ExpiresAt(l.Date, zone), l.Points))];
}
