using System.Text.Json;
using Rewards.Api.Features.Leaderboards;
using Rewards.Api.Features.Members;
using Rewards.Api.Infrastructure.Redis;
using StackExchange.Redis;

namespace Rewards.Faults;

/// <summary>
/// Reads the program's data straight from Redis and checks it against the answers the clients got: nothing acknowledged
/// is missing, every request is recorded exactly once, totals equal their ledgers, caps held, and every leaderboard
/// entry equals what the ledgers say. Key names and encodings follow src/Rewards.Api/Infrastructure/Redis/RedisKeys.cs
/// and Scripts/boards.lua; a drift there makes these checks fail, not pass.
/// </summary>
public static class StoreAudit
{
    private static readonly string[] Windows = ["day", "week", "month"];

    private sealed record Entry(string Member, string ActivityId, string Kind, string Type, string Target, long Points, long Balance);

    private sealed record Activity(string Member, string Type, string Status, string Day, string Week, string Month);

    private sealed record Rule(long DailyCap, long WeeklyCap, bool UniquePerTarget);

    public static async Task RunAsync(IDatabase db, string programId, List<AwardAnswer> sent, Dictionary<string, AwardAnswer> final, Report report)
    {
        Report.Section("Redis audit");
        var rules = await ReadRulesAsync(db, programId);

        var memberIds = (await db.SortedSetRangeByRankAsync(RedisKeys.MemberIndex(programId))).Select(v => (string)v!).ToArray();
        var hashes = await Task.WhenAll(memberIds.Select(m => db.HashGetAllAsync(RedisKeys.Member(programId, m))));
        // Ledgers are lists, newest first (Scripts/ledger.lua, parsed by the API's LedgerEncoding): read oldest first here.
        var lists = await Task.WhenAll(memberIds.Select(m => db.ListRangeAsync(RedisKeys.Ledger(programId, m))));
        var ledgers = memberIds.Select((m, i) => lists[i].Reverse().Select((e, n) => ToEntry(m, LedgerEncoding.Parse(e!, n + 1))).ToList()).ToArray();
        var entries = ledgers.SelectMany(l => l).ToList();
        var byActivity = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var duplicates = entries.Count(e => !byActivity.TryAdd(e.ActivityId, e));

        var activityIds = byActivity.Keys.Union(final.Values.Select(a => a.ActivityId!)).ToArray();
        var fields = await Task.WhenAll(activityIds.Select(id =>
            db.HashGetAsync(RedisKeys.Activity(programId, id), [ActivityFields.Member, ActivityFields.Type, ActivityFields.Status, ActivityFields.Day, ActivityFields.Week, ActivityFields.Month])));
        var activities = new Dictionary<string, Activity>(StringComparer.Ordinal);
        for (var i = 0; i < activityIds.Length; i++)
        {
            var f = fields[i];
            if (!f[0].IsNull)
            {
                activities[activityIds[i]] = new Activity(f[0]!, f[1]!, f[2]!, f[3]!, f[4]!, f[5]!);
            }
        }

        // 1. Nothing acknowledged is lost: the activity record exists and the member's ledger holds its entry.
        var acknowledged = final.Values.ToList();
        var found = acknowledged.Count(a => activities.ContainsKey(a.ActivityId!)
            && byActivity.TryGetValue(a.ActivityId!, out var e) && e.Member == a.Member);
        var duringRun = sent.Count(a => a.Status == 201);
        report.Check(acknowledged.Count > 0 && found == acknowledged.Count,
            $"acknowledged {acknowledged.Count}, found {found}, lost {acknowledged.Count - found} " +
            $"({duringRun} answered 201 during the run, {acknowledged.Count - duringRun} by retries)");

        // 2. Exactly once: one ledger entry per idempotency key, none without a request behind it.
        var keys = sent.Select(a => a.Key).Distinct(StringComparer.Ordinal).Count();
        var answeredIds = final.Values.Select(a => a.ActivityId!).ToHashSet(StringComparer.Ordinal);
        var unexplained = byActivity.Keys.Count(id => !answeredIds.Contains(id));
        report.Check(entries.Count == keys && duplicates == 0 && unexplained == 0 && final.Count == keys,
            $"exactly once: {keys} idempotency keys, {entries.Count} ledger entries, {duplicates} duplicate entries, " +
            $"{unexplained} entries no request was answered with, {keys - final.Count} keys without a 201");

        // 3. What each client was told is what was stored.
        var mismatched = acknowledged.Count(a => !byActivity.TryGetValue(a.ActivityId!, out var e)
            || !activities.TryGetValue(a.ActivityId!, out var act)
            || e.Kind != KindOf(a.Result) || e.Points != a.Points || act.Status != a.Result || act.Member != a.Member || act.Type != a.Type);
        report.Check(mismatched == 0, $"answers match the stored activity and ledger entry (status, points, member, type): {mismatched} mismatches");

        // 4. Totals equal their ledgers (no reversals in these runs: lifetime = balance = sum of points).
        int badBalance = 0, badLifetime = 0, badType = 0, badRunning = 0;
        for (var i = 0; i < memberIds.Length; i++)
        {
            var h = hashes[i].ToDictionary(x => (string)x.Name!, x => (string)x.Value!, StringComparer.Ordinal);
            var sum = ledgers[i].Sum(e => e.Points);
            badBalance += Long(h, MemberFields.Balance) == sum ? 0 : 1;
            badLifetime += Long(h, MemberFields.Lifetime) == sum ? 0 : 1;
            badType += rules.Keys.Any(t => Long(h, MemberFields.TypePointsOf(t)) != ledgers[i].Where(e => e.Type == t).Sum(e => e.Points)) ? 1 : 0;
            long running = 0;
            foreach (var e in ledgers[i])
            {
                running += e.Points;
                badRunning += e.Balance == running ? 0 : 1;
            }
        }
        var expectedMembers = final.Values.Select(a => a.Member).Distinct().Count();
        report.Check(memberIds.Length == expectedMembers && badBalance + badLifetime + badType + badRunning == 0,
            $"{memberIds.Length} members: balance = sum of ledger points ({badBalance} differ), lifetime likewise ({badLifetime}), " +
            $"per-type totals ({badType}), running balance of every ledger entry ({badRunning} entries differ)");

        // 5. Caps and unique targets held: awarded or pending activities per member, type and local day / ISO week.
        var holding = activities.Values.Where(a => a.Status is "awarded" or "pending").ToList();
        var perDay = holding.GroupBy(a => (a.Member, a.Type, a.Day)).ToList();
        var perWeek = holding.GroupBy(a => (a.Member, a.Type, a.Week)).ToList();
        var overDay = perDay.Count(g => rules[g.Key.Type].DailyCap > 0 && g.Count() > rules[g.Key.Type].DailyCap);
        var overWeek = perWeek.Count(g => rules[g.Key.Type].WeeklyCap > 0 && g.Count() > rules[g.Key.Type].WeeklyCap);
        var atCap = perDay.Count(g => g.Count() == rules[g.Key.Type].DailyCap) + perWeek.Count(g => g.Count() == rules[g.Key.Type].WeeklyCap);
        var awardedTargets = entries.Where(e => e.Kind is "award" or "pending" && rules[e.Type].UniquePerTarget)
            .GroupBy(e => (e.Member, e.Type, e.Target)).ToList();
        var twice = awardedTargets.Count(g => g.Count() > 1);
        report.Check(overDay == 0 && overWeek == 0 && twice == 0,
            $"caps: {perDay.Count} member/type/day and {perWeek.Count} member/type/week counts, {overDay + overWeek} over their cap " +
            $"({atCap} at it); unique targets: {awardedTargets.Count} member/target pairs, {twice} counted twice");

        // 6. Leaderboards: all-time entry per member with score = its total; windowed scores = ledger sums in that period.
        var boards = rules.Keys.Prepend("points").ToArray();
        var allTimeBad = 0;
        var allTimeEntries = 0;
        foreach (var board in boards)
        {
            var expected = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var e in entries.Where(e => e.Points != 0 && (board == "points" || e.Type == board)))
            {
                expected[e.Member] = expected.GetValueOrDefault(e.Member) + e.Points;
            }
            var stored = await db.SortedSetRangeByRankWithScoresAsync(RedisKeys.Leaderboard(programId, board, "all", null));
            allTimeEntries += stored.Length;
            var seen = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var s in stored)
            {
                var entry = (string)s.Element!;
                var colon = entry.IndexOf(':');
                if (colon is not (13 or 16) || !seen.TryAdd(entry[(colon + 1)..], (long)s.Score))
                {
                    allTimeBad++;
                }
            }
            allTimeBad += Differences(expected, seen);
        }
        var pointsMembers = entries.Where(e => e.Points > 0).Select(e => e.Member).Distinct().Count();
        report.Check(allTimeBad == 0 && pointsMembers > 0,
            $"all-time boards ({string.Join(", ", boards)}): {allTimeEntries} entries, one per member with points, " +
            $"score = lifetime / type total: {allTimeBad} wrong, missing or extra");

        var windowBoards = 0;
        var windowEntries = 0;
        var windowBad = 0;
        foreach (var window in Windows)
        {
            var expected = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
            foreach (var e in entries.Where(e => e.Points != 0))
            {
                if (!activities.TryGetValue(e.ActivityId, out var a))
                {
                    windowBad++; // a ledger entry without its activity record: its periods are unknown
                    continue;
                }
                var period = window switch { "day" => a.Day, "week" => a.Week, _ => a.Month };
                foreach (var board in new[] { "points", e.Type })
                {
                    var key = RedisKeys.Leaderboard(programId, board, window, period).ToString();
                    var sums = expected.TryGetValue(key, out var existing) ? existing : expected[key] = new(StringComparer.Ordinal);
                    sums[e.Member] = sums.GetValueOrDefault(e.Member) + e.Points;
                }
            }
            foreach (var (key, sums) in expected.OrderBy(x => x.Key, StringComparer.Ordinal))
            {
                var stored = await db.SortedSetRangeByRankWithScoresAsync(key);
                windowBoards++;
                windowEntries += stored.Length;
                // One entry per member ('<sequence>:<memberId>'): a second one is wrong, like a wrong score.
                var decoded = new Dictionary<string, long>(StringComparer.Ordinal);
                foreach (var s in stored)
                {
                    if (!decoded.TryAdd(ScoreEncoding.MemberOf((string)s.Element!), ScoreEncoding.WindowPoints(s.Score)))
                    {
                        windowBad++;
                    }
                }
                windowBad += Differences(sums, decoded);
            }
        }
        report.Check(windowBoards > 0 && windowBad == 0,
            $"day/week/month boards: {windowBoards} boards, {windowEntries} entries, points = floor(score / 2^22) = ledger sum " +
            $"of the member in that period: {windowBad} wrong, missing or extra");
    }

    private static async Task<Dictionary<string, Rule>> ReadRulesAsync(IDatabase db, string programId)
    {
        var json = (string?)await db.HashGetAsync(RedisKeys.Program(programId), "json") ?? throw new InvalidOperationException("the program is not in Redis");
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("rules").EnumerateObject().ToDictionary(r => r.Name, r => new Rule(
            r.Value.TryGetProperty("dailyCap", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetInt64() : 0,
            r.Value.TryGetProperty("weeklyCap", out var w) && w.ValueKind == JsonValueKind.Number ? w.GetInt64() : 0,
            r.Value.TryGetProperty("uniquePerTarget", out var u) && u.ValueKind == JsonValueKind.True), StringComparer.Ordinal);
    }

    private static Entry ToEntry(string member, StoredLedgerEntry e) =>
        new(member, e.Ref, e.Kind, e.Type, e.Target, e.Points, e.Balance);

    private static string KindOf(string? result) => result switch { "awarded" => "award", "pending" => "pending", _ => "rejection" };

    private static long Long(Dictionary<string, string> hash, string field) => hash.TryGetValue(field, out var v) ? long.Parse(v) : 0;

    /// <summary>Members whose stored value differs from the expected one, plus stored members not expected (expected 0 = absent).</summary>
    private static int Differences(Dictionary<string, long> expected, Dictionary<string, long> stored) =>
        expected.Count(x => x.Value > 0 && stored.GetValueOrDefault(x.Key) != x.Value)
        + stored.Count(x => expected.GetValueOrDefault(x.Key) <= 0);
}
