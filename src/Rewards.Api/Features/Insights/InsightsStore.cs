using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Insights;

public sealed record TypeCounts(long Awarded, long Pending, long Rejected);

public sealed record PerkCounts(long Granted, long Claimed, long Accepted);

/// <summary>Confirmed redemptions and their points (net of cancellations made that day), and confirmed redemptions per reward id.</summary>
public sealed record RedemptionCounts(long Confirmed, long PointsRedeemed, IReadOnlyDictionary<string, long> PerReward);

public sealed record DayStats(string Date, IReadOnlyDictionary<string, TypeCounts> Interactions, long ActiveMembers, long NewMembers,
    long PointsIssued, long PointsReversed, PerkCounts Perks, RedemptionCounts Redemptions, long PointsExpired = 0, long PointsAdjusted = 0);

public sealed record StatsReport(string From, string To, string TimeZone, IReadOnlyList<DayStats> Days, DayStats Totals);

/// <summary>The Redis access of the KPIs: per local day a counter hash and a HyperLogLog of active members (written by the award script).</summary>
public sealed class InsightsStore(IConnectionMultiplexer redis)
{
    /// <summary>The KPIs of each local day from <paramref name="from"/> to <paramref name="to"/> and their totals; one pipelined round trip.</summary>
    public async Task<StatsReport> StatsAsync(ProgramSnapshot program, DateOnly from, DateOnly to)
    {
        var db = redis.GetDatabase();
        var dates = Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(i => ProgramTime.DayId(from.AddDays(i))).ToArray();
        var counters = dates.Select(d => db.HashGetAllAsync(RedisKeys.Stats(program.Id, d))).ToArray();
        var active = dates.Select(d => db.HyperLogLogLengthAsync(RedisKeys.StatsActiveMembers(program.Id, d))).ToArray();
        var distinct = db.HyperLogLogLengthAsync([.. dates.Select(d => RedisKeys.StatsActiveMembers(program.Id, d))]);
        await Task.WhenAll([.. counters, .. active, distinct]);
        var days = dates.Select((d, i) => ToDay(d, counters[i].Result, active[i].Result)).ToList();
        var totals = new DayStats($"{dates[0]}..{dates[^1]}",
            days.SelectMany(d => d.Interactions).GroupBy(e => e.Key).ToDictionary(g => g.Key,
                g => new TypeCounts(g.Sum(e => e.Value.Awarded), g.Sum(e => e.Value.Pending), g.Sum(e => e.Value.Rejected))),
            distinct.Result, days.Sum(d => d.NewMembers), days.Sum(d => d.PointsIssued), days.Sum(d => d.PointsReversed),
            new PerkCounts(days.Sum(d => d.Perks.Granted), days.Sum(d => d.Perks.Claimed), days.Sum(d => d.Perks.Accepted)),
            new RedemptionCounts(days.Sum(d => d.Redemptions.Confirmed), days.Sum(d => d.Redemptions.PointsRedeemed),
                days.SelectMany(d => d.Redemptions.PerReward).GroupBy(e => e.Key, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Sum(e => e.Value), StringComparer.Ordinal)),
            days.Sum(d => d.PointsExpired), days.Sum(d => d.PointsAdjusted));
        return new StatsReport(dates[0], dates[^1], program.Definition.TimeZone, days, totals);
    }

    /// <summary>The day's counter of confirmed redemptions of one reward: this prefix and the reward id (redemption.lua).</summary>
    private const string RedeemedPrefix = "redemptions@";

    private static DayStats ToDay(string date, HashEntry[] entries, long active)
    {
        var f = entries.ToDictionary(e => e.Name.ToString(), e => (long)e.Value);
        long Get(string name) => f.GetValueOrDefault(name);
        var types = f.Keys.Where(k => k.Contains(':')).Select(k => k[(k.IndexOf(':') + 1)..]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return new DayStats(date, types.ToDictionary(t => t, t => new TypeCounts(Get($"awarded:{t}"), Get($"pending:{t}"), Get($"rejected:{t}"))),
            active, Get("newMembers"), Get("pointsIssued"), Get("pointsReversed"),
            new PerkCounts(Get("perksGranted"), Get("perksClaimed"), Get("perksAccepted")),
            new RedemptionCounts(Get("redemptions"), Get("pointsRedeemed"), f.Where(e => e.Key.StartsWith(RedeemedPrefix, StringComparison.Ordinal))
                .ToDictionary(e => e.Key[RedeemedPrefix.Length..], e => e.Value, StringComparer.Ordinal)), Get("pointsExpired"), Get("pointsAdjusted"));
    }
}
