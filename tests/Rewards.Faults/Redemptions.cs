using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Rewards.Faults;

/// <summary>One redemption request and what came back (status 0 = timeout, -1 = no HTTP answer).</summary>
public sealed record RedemptionAnswer(string Key, string Member, long Start, double Ms, int Status, string? RedemptionId, string? Reason,
    bool Replayed, string? Error);

/// <summary>
/// The redemption side of scripts/faults phase 5: `redeem-drive` redeems one reward from many workers (quantity 1, a key per
/// request) until the stop file appears; `redeem-check` retries every request that got no answer with its key, then audits
/// through the API: every acknowledged redemption exists and is confirmed, each key made at most one redemption, stock left +
/// confirmed = initial stock, and every member's balance = the sum of their ledger.
/// </summary>
public static class Redemptions
{
    private sealed class Client(string url, string token, string programId, int connections) : IDisposable
    {
        private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = connections })
        {
            Timeout = TimeSpan.FromSeconds(5),
            DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
        };

        public string Program => $"{url.TrimEnd('/')}/v1/programs/{programId}";

        public async Task<RedemptionAnswer> RedeemAsync(string key, string member, string rewardId)
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, $"{Program}/members/{member}/redemptions")
            {
                Content = new StringContent(JsonSerializer.Serialize(new { rewardId }), Encoding.UTF8, "application/json"),
            };
            message.Headers.Add("Idempotency-Key", key);
            var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var clock = Stopwatch.StartNew();
            try
            {
                using var response = await _http.SendAsync(message);
                var text = await response.Content.ReadAsStringAsync();
                var status = (int)response.StatusCode;
                string? id = null, reason = null;
                if (text.StartsWith('{'))
                {
                    using var json = JsonDocument.Parse(text);
                    id = json.RootElement.TryGetProperty("redemptionId", out var r) ? r.GetString() : null;
                    reason = json.RootElement.TryGetProperty("reason", out var why) ? why.GetString() : null;
                }
                return new RedemptionAnswer(key, member, start, clock.Elapsed.TotalMilliseconds, status, id, reason,
                    response.Headers.Contains("Idempotent-Replayed"), status is 201 or 409 ? null : text[..Math.Min(text.Length, 300)]);
            }
            catch (TaskCanceledException)
            {
                return new RedemptionAnswer(key, member, start, clock.Elapsed.TotalMilliseconds, 0, null, null, false, "timeout");
            }
            catch (HttpRequestException e)
            {
                return new RedemptionAnswer(key, member, start, clock.Elapsed.TotalMilliseconds, -1, null, null, false, e.Message);
            }
        }

        public async Task<JsonElement> GetAsync(string path)
        {
            using var response = await _http.GetAsync($"{Program}{path}");
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {text}");
            }
            return JsonDocument.Parse(text).RootElement.Clone();
        }

        public void Dispose() => _http.Dispose();
    }

    public static async Task<int> DriveAsync(Options o)
    {
        var workers = (int)o.Long("workers", 16);
        var members = (int)o.Long("members", 200);
        var rewardId = o.Required("reward");
        var stopFile = o.Required("stop-file");
        using var client = new Client(o.Required("url"), o.Required("token"), o.Required("program"), workers);
        var answers = new ConcurrentQueue<RedemptionAnswer>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(1000 + w);
            for (var n = 0; !File.Exists(stopFile) && clock.Elapsed < TimeSpan.FromMinutes(5); n++)
            {
                var answer = await client.RedeemAsync($"rd-{w:D2}-{n:D7}", $"r{random.Next(members):D4}", rewardId);
                answers.Enqueue(answer);
                if (answer.Status is not (201 or 409))
                {
                    await Task.Delay(50);
                }
            }
        })));
        await File.WriteAllLinesAsync(o.Required("out"), answers.Select(a => JsonSerializer.Serialize(a, AwardClient.Json)));
        Console.WriteLine($"redeem-drive: {answers.Count} redemption requests in {clock.Elapsed.TotalSeconds:F1} s " +
            $"({answers.Count / clock.Elapsed.TotalSeconds:F0}/s); answers: {Drive.Describe(answers.GroupBy(a => a.Status).ToDictionary(g => g.Key, g => g.Count()))}");
        return 0;
    }

    public static async Task<int> CheckAsync(Options o)
    {
        var report = new Report();
        var answers = File.ReadLines(o.Required("results")).Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<RedemptionAnswer>(l, AwardClient.Json)!).ToList();
        var rewardId = o.Required("reward");
        var initial = o.Long("initial-stock", 0);
        var members = (int)o.Long("members", 200);
        using var client = new Client(o.Required("url"), o.Required("token"), o.Required("program"), 16);
        report.Check(answers.Count > 0, $"{answers.Count} redemption answers on file: " +
            Drive.Describe(answers.GroupBy(a => a.Status).ToDictionary(g => g.Key, g => g.Count())));

        Report.Section("redemptions: client retries with the same Idempotency-Key");
        var failed = answers.Where(a => a.Status is not (201 or 409)).ToList();
        var retried = new RedemptionAnswer[failed.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, failed.Count), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, _) => retried[i] = await client.RedeemAsync(failed[i].Key, failed[i].Member, rewardId));
        report.Check(retried.All(r => r.Status is 201 or 409), $"{failed.Count} failed redemption requests retried: " +
            $"{retried.Count(r => r.Status == 201)} answered 201 ({retried.Count(r => r.Replayed)} replayed), {retried.Count(r => r.Status == 409)} refused; " +
            $"other: {retried.Count(r => r.Status is not (201 or 409))}");
        foreach (var other in retried.Where(r => r.Status is not (201 or 409)).Take(5))
        {
            Report.Info($"retry of {other.Key} (member {other.Member}): {Drive.StatusName(other.Status)} {other.Error}");
        }
        var final = answers.Where(a => a.Status == 201).Concat(retried.Where(r => r.Status == 201))
            .GroupBy(a => a.Key).ToDictionary(g => g.Key, g => g.First());

        var sample = answers.Where(a => a.Status == 201).Take(200).ToList();
        var again = await Task.WhenAll(sample.Select(a => client.RedeemAsync(a.Key, a.Member, rewardId)));
        report.Check(again.Zip(sample).All(p => p.First.Status == 201 && p.First.Replayed && p.First.RedemptionId == p.Second.RedemptionId),
            $"{sample.Count} acknowledged redemptions sent again: each replayed its redemption");

        Report.Section("redemptions: audit through the API");
        var ids = final.Values.Select(a => a.RedemptionId!).ToList();
        var lost = 0;
        foreach (var chunk in ids.Chunk(32))
        {
            var views = await Task.WhenAll(chunk.Select(async id =>
            {
                try
                {
                    return (await client.GetAsync($"/redemptions/{id}")).GetProperty("state").GetString();
                }
                catch (InvalidOperationException)
                {
                    return null;
                }
            }));
            lost += views.Count(s => s != "confirmed");
        }
        report.Check(lost == 0, $"nothing acknowledged is lost: {ids.Count} acknowledged redemptions, {lost} missing or not confirmed");
        var total = (await client.GetAsync("/redemptions?limit=1")).GetProperty("total").GetInt64();
        report.Check(total == ids.Distinct().Count(), $"exactly once: {total} redemptions stored, {ids.Distinct().Count()} idempotency keys answered 201");
        var reward = await client.GetAsync($"/rewards/{rewardId}");
        var left = reward.GetProperty("stockLeft").GetInt64();
        var confirmed = reward.GetProperty("figures").GetProperty("confirmed").GetInt64();
        report.Check(left + confirmed == initial && confirmed == total,
            $"stock left {left} + confirmed redemptions {confirmed} = {left + confirmed} (initial stock {initial}); {total} stored");

        var bad = 0;
        for (var m = 0; m < members; m++)
        {
            var member = $"r{m:D4}";
            var balance = (await client.GetAsync($"/members/{member}")).GetProperty("balance").GetInt64();
            long sum = 0;
            string? cursor = null;
            do
            {
                var page = await client.GetAsync($"/members/{member}/ledger?limit=100" + (cursor is null ? "" : $"&cursor={cursor}"));
                sum += page.GetProperty("entries").EnumerateArray().Sum(e => e.GetProperty("points").GetInt64());
                cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
            } while (cursor is not null);
            bad += sum == balance && balance >= 0 ? 0 : 1;
        }
        report.Check(bad == 0, $"{members} members: balance = sum of ledger points, never negative ({bad} differ)");
        Console.WriteLine(report.Failed ? "redeem-check: FAIL" : "redeem-check: PASS");
        return report.Failed ? 1 : 0;
    }
}
