using StackExchange.Redis;

namespace Rewards.Faults;

/// <summary>
/// Judges a drive run: how the API answered before, during and after a Redis outage (when one is given), then retries
/// every failed request with its Idempotency-Key, replays a sample of acknowledged ones, and audits Redis.
/// </summary>
public static class Check
{
    public static async Task<int> RunAsync(Options o)
    {
        var report = new Report();
        var answers = Drive.Read(o.Required("results"));
        var urls = o.List("urls");
        var programId = o.Required("program");
        report.Check(answers.Count > 0, $"{answers.Count} answers on file");
        if (answers.Count == 0)
        {
            return 1;
        }

        var outage = Outage.From(o);
        if (outage is null)
        {
            CheckWithoutOutage(answers, report);
        }
        else
        {
            outage.CheckAnswers(answers, o.Long("max-down-latency-ms", 1000), o.Long("recovery-limit-ms", 5000), report);
        }

        using var client = new AwardClient(urls, o.Required("token"), programId, 16, TimeSpan.FromSeconds(10));
        var final = await Retries.RunAsync(client, answers, (int)o.Long("replay-sample", 500), report);

        var redis = await ConnectionMultiplexer.ConnectAsync(o.Required("redis"));
        await using (redis)
        {
            await StoreAudit.RunAsync(redis.GetDatabase(), programId, answers, final, report);
        }
        return report.Failed ? 1 : 0;
    }

    private static void CheckWithoutOutage(List<AwardAnswer> answers, Report report)
    {
        Report.Section("answers (no fault injected)");
        var ok = answers.Count(a => a.Status == 201);
        var latencies = answers.Select(a => a.Ms).Order().ToArray();
        Report.Info($"{answers.Count} requests: {Drive.Describe(Count(answers))}; p50 {Percentile(latencies, 0.50):F1} ms, " +
            $"p99 {Percentile(latencies, 0.99):F1} ms, max {latencies[^1]:F1} ms");
        foreach (var instance in answers.GroupBy(a => a.Instance).OrderBy(g => g.Key))
        {
            Report.Info($"through instance {(char)('A' + instance.Key)}: {Drive.Describe(Count(instance))}");
        }
        report.Check(ok == answers.Count, $"every request answered 201 ({answers.Count - ok} did not)");
    }

    public static Dictionary<int, int> Count(IEnumerable<AwardAnswer> answers) =>
        answers.GroupBy(a => a.Status).ToDictionary(g => g.Key, g => g.Count());

    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}

/// <summary>When Redis was killed (ms before kill -9), when redis-server was started again, and when it answered PING.</summary>
public sealed record Outage(long KilledAt, long RestartedAt, long ReadyAt)
{
    public static Outage? From(Options o) =>
        o.Long("killed-at") is { } killed ? new Outage(killed, o.Long("restarted-at")!.Value, o.Long("ready-at")!.Value) : null;

    public void CheckAnswers(List<AwardAnswer> answers, long maxLatencyMs, long recoveryLimitMs, Report report)
    {
        // In progress at some moment while Redis was down: ended after the kill and started before the restart.
        var before = answers.Where(a => a.End < KilledAt).ToList();
        var down = answers.Where(a => a.End >= KilledAt && a.Start < RestartedAt).ToList();
        var after = answers.Where(a => a.Start >= RestartedAt).ToList();
        var settled = after.Where(a => a.Start >= ReadyAt + recoveryLimitMs).ToList();
        var downLatencies = down.Select(a => a.Ms).Order().ToArray();
        var firstOk = after.Where(a => a.Status == 201).MinBy(a => a.End);

        Report.Section("answers before, during and after the Redis outage");
        Report.Info($"redis-server killed (-9), down for {RestartedAt - KilledAt} ms, serving again (PONG) {ReadyAt - RestartedAt} ms after its restart");
        Report.Info($"before the crash:     {before.Count,6} requests: {Drive.Describe(Check.Count(before))}");
        Report.Info($"while Redis was down: {down.Count,6} requests: {Drive.Describe(Check.Count(down))}; " +
            $"latency p50 {Check.Percentile(downLatencies, 0.5):F1} ms, p99 {Check.Percentile(downLatencies, 0.99):F1} ms, " +
            $"max {(downLatencies.Length == 0 ? 0 : downLatencies[^1]):F1} ms");
        Report.Info($"after the restart:    {after.Count,6} requests: {Drive.Describe(Check.Count(after))}; " +
            $"first 201 answered {(firstOk is null ? "never" : $"{firstOk.End - RestartedAt} ms")} after redis-server was started");

        report.Check(before.Count > 0 && before.All(a => a.Status == 201), "before the crash every request answered 201");
        report.Check(down.Count(a => a.Status == 503) > 0 && down.All(a => a.Status is 503 or 201),
            "while Redis was down the API answered 503 (201 only for awards decided before the kill or after the restart): no 500, no timeout");
        report.Check(downLatencies.Length > 0 && downLatencies[^1] <= maxLatencyMs,
            $"each answer while Redis was down came within {maxLatencyMs} ms (max {(downLatencies.Length == 0 ? 0 : downLatencies[^1]):F1} ms)");
        report.Check(firstOk is not null && settled.Count > 0 && settled.All(a => a.Status == 201),
            $"recovered without restarting the API: every request from {recoveryLimitMs} ms after Redis answered on is 201 " +
            $"({settled.Count} requests, {settled.Count(a => a.Status != 201)} not 201)");
        var stray = answers.Count(a => a.Status != 201 && (a.Start > ReadyAt + recoveryLimitMs || a.End < KilledAt));
        report.Check(stray == 0, $"no failure outside the outage ({stray})");
    }
}
