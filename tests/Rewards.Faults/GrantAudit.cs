using System.Text.Json;
using Rewards.Api.Infrastructure.Redis;
using StackExchange.Redis;

namespace Rewards.Faults;

/// <summary>
/// Audits one perk's grant runs straight from Redis: the perk has exactly one run record, the run is done, every member
/// of the program holds exactly one grant of it (and none of another run), its figures equal the audience, and its
/// Hangfire job was performed by the expected number of servers. Key names and encodings follow RedisKeys.cs,
/// Scripts/perk-grant-chunk.lua and the Hangfire.Redis.StackExchange storage (JobsSetup.KeyPrefix).
/// </summary>
public static class GrantAudit
{
    private const string JobsPrefix = "{rewards-jobs}:";

    public static async Task<int> RunAsync(Options o)
    {
        var report = new Report();
        var programId = o.Required("program");
        var perkId = o.Required("perk");
        var labels = ServerLabels(o.Optional("servers"));
        var perkKey = RedisKeys.Perk(programId, perkId);

        var redis = await ConnectionMultiplexer.ConnectAsync(o.Required("redis"));
        await using (redis)
        {
            var db = redis.GetDatabase();
            var server = redis.GetServers()[0];

            // One run record: a second one means the perk's job was created (or its run started) twice.
            var runs = new List<string>();
            await foreach (var key in server.KeysAsync(pattern: RedisKeys.PerkRun(programId, perkId, "*").ToString(), pageSize: 10_000))
            {
                var rest = ((string)key!)[(RedisKeys.PerkRun(programId, perkId, "").ToString()).Length..];
                if (!rest.Contains(':', StringComparison.Ordinal))
                {
                    runs.Add(rest);
                }
            }
            report.Check(runs.Count == 1, $"grant runs recorded for the perk: {runs.Count} ({string.Join(", ", runs)})");
            if (runs.Count == 0)
            {
                return 1;
            }
            var runId = runs[0];

            var run = await db.HashGetAsync(RedisKeys.PerkRun(programId, perkId, runId), ["status", "cursor", "total", "granted", "startedAt", "finishedAt"]);
            var perk = await db.HashGetAsync(perkKey, ["granted", "lastRunId"]);
            var members = (await db.SortedSetRangeByRankAsync(RedisKeys.MemberIndex(programId))).Select(v => (string)v!).ToArray();
            long total = (long?)run[2] ?? -1, granted = (long?)run[3] ?? -1;
            report.Check(run[0] == "done" && (long?)run[1] == total,
                $"run {runId}: status {run[0]}, cursor {run[1]} of {run[2]}" +
                (run[4].HasValue && run[5].HasValue ? $", {((long)run[5] - (long)run[4]) / 1000.0:0.00} s from its start to its end" : ""));
            report.Check(total == members.Length && granted == members.Length && (long?)perk[0] == members.Length && perk[1] == runId,
                $"audience {members.Length} members; run total {total}, run granted {granted}, perk granted {perk[0]}, perk lastRunId {perk[1]}");

            // Every member holds the grant of this run (the grants hash holds one field per perk: one grant at most).
            var grants = await Task.WhenAll(members.Select(m => db.HashGetAsync(RedisKeys.MemberGrants(programId, m), perkId)));
            var inbox = await Task.WhenAll(members.Select(m => db.SortedSetScoreAsync(RedisKeys.MemberInbox(programId, m), perkId)));
            var ofThisRun = grants.Count(g => g.HasValue && ((string)g!).StartsWith(runId + "|", StringComparison.Ordinal));
            var ofOtherRuns = grants.Count(g => g.HasValue) - ofThisRun;
            var inInbox = inbox.Count(s => s.HasValue);
            report.Check(ofThisRun == members.Length && ofOtherRuns == 0 && inInbox == members.Length,
                $"{members.Length} members: {ofThisRun} hold exactly one grant of run {runId}, {ofOtherRuns} a grant of another run, " +
                $"{members.Length - ofThisRun - ofOtherRuns} none; {inInbox} have the perk in their inbox");

            // How Hangfire performed the job: one Processing state per execution, with the server that ran it.
            var history = (await db.ListRangeAsync($"{JobsPrefix}job:{runId}:history"))
                .Select(h => JsonSerializer.Deserialize<Dictionary<string, string?>>((string)h!)!).ToList();
            var executions = history.Where(h => h.GetValueOrDefault("State") == "Processing")
                .Select(h => Label(h.GetValueOrDefault("ServerId"), labels)).ToList();
            var state = (string?)await db.HashGetAsync($"{JobsPrefix}job:{runId}:state", "State");
            var expected = o.Long("executions", 1);
            report.Check(state == "Succeeded" && executions.Count == expected,
                $"Hangfire job {runId}: {state}; performed {executions.Count} time(s) (expected {expected}): {string.Join(", then ", executions)}");
        }
        return report.Failed ? 1 : 0;
    }

    /// <summary>"pid=label,pid=label": names the API processes (a Hangfire server id is host:pid:guid).</summary>
    private static Dictionary<string, string> ServerLabels(string? spec) =>
        (spec ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);

    private static string Label(string? serverId, Dictionary<string, string> labels)
    {
        var parts = (serverId ?? "?").Split(':');
        return parts.Length >= 2 && labels.TryGetValue(parts[1], out var label) ? $"{label} (pid {parts[1]})" : serverId ?? "?";
    }
}
