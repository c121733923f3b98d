using Rewards.Api.Features.Leaderboards;
using Rewards.Api.Features.Members;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Gamification;

public sealed record Contribution(string Type, long Activities, long Points);

public sealed record Ambassador(long Rank, string MemberId, string? DisplayName, long Points, IReadOnlyList<Contribution> Mix);

public sealed record AmbassadorReport(int Days, DateTimeOffset Since, IReadOnlyList<Ambassador> Ambassadors);

/// <summary>The Redis access of the ambassadors: daily awarded points per member (written by the award script), summed over a window.</summary>
public sealed class AmbassadorStore(IConnectionMultiplexer redis, RewardsScripts scripts, MemberStore members, TimeProvider clock)
{
    /// <summary>The top <paramref name="limit"/> contributors over the last <paramref name="days"/> local days including today.</summary>
    public async Task<AmbassadorReport> TopAsync(ProgramSnapshot program, int days, int limit)
    {
        var today = ProgramTime.LocalDate(clock.GetUtcNow(), program.Zone);
        var first = today.AddDays(1 - days);
        var db = redis.GetDatabase();
        var r = (RedisResult[])(await scripts.Ambassadors.RunAsync(db, ScriptArgs<AmbassadorsScript>.Build(new(
            RedisKeys.AmbassadorDay(program.Id, $"scratch-{Guid.NewGuid():N}"), limit, RedisKeys.MemberPrefix(program.Id),
            [.. Enumerable.Range(0, days).Select(i => RedisKeys.AmbassadorDay(program.Id, ProgramTime.DayId(first.AddDays(i))))]))))!;
        var since = LeaderboardWindow.LocalMidnight(first, program.Zone);
        var ids = Enumerable.Range(0, r.Length / 3).Select(i => (Id: (string)r[3 * i]!, Points: (long)(double)r[3 * i + 1], Name: (string?)r[3 * i + 2])).ToArray();
        // The mix: each ambassador's awards and approvals since the window's start, less their reversals, from their ledger
        // (newest first, read down to the window's start, all ambassadors in one round trip), so that it adds up to their
        // points as the daily totals do.
        var ledgers = await members.LedgersSinceAsync(program, [.. ids.Select(a => a.Id)], since);
        var ambassadors = ids.Select((a, i) => new Ambassador(i + 1, a.Id, string.IsNullOrEmpty(a.Name) ? null : a.Name, a.Points,
            [.. ledgers[i].Where(e => e.Kind is LedgerKind.Award or LedgerKind.Approval or LedgerKind.Reversal)
                .GroupBy(e => e.Type)
                .Select(g => new Contribution(g.Key, g.Sum(e => e.Kind == LedgerKind.Reversal ? -1 : 1), g.Sum(e => e.Points)))
                .Where(c => c.Activities > 0)
                .OrderByDescending(c => c.Points)])).ToList();
        return new AmbassadorReport(days, since, ambassadors);
    }
}
