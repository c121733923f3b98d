// Opens N member live streams (GET .../members/{id}/events/stream) on one API instance, then records awards at a steady
// rate for those members and measures, for each award, the time from its answer (201 received) to its activity.awarded
// event received on the member's stream. Prints p50/p99/max of that latency, how many events were missing, and the API
// process's resident memory per open stream (VmRSS after opening the streams minus before, over N).
// Usage: Rewards.EventsLoad URL PROGRAM TOKEN API_PID [STREAMS=10000] [AWARDS_PER_SECOND=1000] [SECONDS=30] [TYPE=comment]
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

var url = args[0].TrimEnd('/');
var program = args[1];
var token = args[2];
var apiPid = int.Parse(args[3]);
var streams = args.Length > 4 ? int.Parse(args[4]) : 10_000;
var rate = args.Length > 5 ? int.Parse(args[5]) : 1_000;
var seconds = args.Length > 6 ? int.Parse(args[6]) : 30;
var type = args.Length > 7 ? args[7] : "comment";

var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
using var http = new HttpClient(handler) { BaseAddress = new Uri(url), Timeout = Timeout.InfiniteTimeSpan };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

static long RssKb(int pid) => File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
    .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])).First();

// Members must exist before their stream opens: one award each, in batches.
var members = Enumerable.Range(0, streams).Select(i => $"s-{i}").ToArray();
foreach (var chunk in members.Chunk(1000))
{
    var body = JsonSerializer.Serialize(new { activities = chunk.Select(m => new { idempotencyKey = $"seed-{program}-{m}", memberId = m, type }) });
    using var r = await http.PostAsync($"/v1/programs/{program}/activities:batch", new StringContent(body, Encoding.UTF8, "application/json"));
    r.EnsureSuccessStatusCode();
}

GC.Collect();
await Task.Delay(2000);
var rssBefore = RssKb(apiPid);
var answered = new ConcurrentDictionary<string, long>(); // activityId -> timestamp of the answer
var received = new ConcurrentDictionary<string, long>(); // activityId -> timestamp the event arrived
var opened = 0;
var failed = 0;
using var stop = new CancellationTokenSource();

async Task Listen(string member)
{
    try
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/programs/{program}/members/{member}/events/stream");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
        Interlocked.Increment(ref opened);
        string? evt = null;
        while (await reader.ReadLineAsync(stop.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) { evt = line[7..]; }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && evt == "activity.awarded")
            {
                var now = Stopwatch.GetTimestamp();
                using var doc = JsonDocument.Parse(line[6..]);
                received.TryAdd(doc.RootElement.GetProperty("data").GetProperty("activityId").GetString()!, now);
            }
            else if (line.Length == 0) { evt = null; }
        }
    }
    catch (OperationCanceledException) { }
    catch (Exception) { Interlocked.Increment(ref failed); }
}

var listeners = new List<Task>(streams);
foreach (var chunk in members.Chunk(500))
{
    listeners.AddRange(chunk.Select(Listen));
    await Task.Delay(100);
}
var waited = Stopwatch.StartNew();
while (Volatile.Read(ref opened) + Volatile.Read(ref failed) < streams && waited.Elapsed < TimeSpan.FromMinutes(2))
{
    await Task.Delay(200);
}
await Task.Delay(2000);
var rssAfter = RssKb(apiPid);
Console.WriteLine($"streams open: {opened} of {streams} ({failed} failed); API RSS {rssBefore / 1024} MB -> {rssAfter / 1024} MB: " +
    $"{(rssAfter - rssBefore) / (double)Math.Max(1, opened):F1} KB per stream");

// Awards at a steady rate, spread over the members with a stream.
var total = rate * seconds;
var errors = 0;
var sent = new List<Task>(total);
var clock = Stopwatch.StartNew();
for (var i = 0; i < total; i++)
{
    var due = TimeSpan.FromSeconds(i / (double)rate);
    if (clock.Elapsed < due) { await Task.Delay(due - clock.Elapsed); }
    var member = members[Random.Shared.Next(members.Length)];
    sent.Add(Task.Run(async () =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{program}/activities")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { memberId = member, type }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        using var response = await http.SendAsync(request);
        var at = Stopwatch.GetTimestamp();
        if (!response.IsSuccessStatusCode) { Interlocked.Increment(ref errors); return; }
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        answered[doc.RootElement.GetProperty("activityId").GetString()!] = at;
    }));
}
await Task.WhenAll(sent);
var achieved = total / clock.Elapsed.TotalSeconds;
await Task.Delay(3000); // late events
await stop.CancelAsync();

var latencies = answered.Select(a => received.TryGetValue(a.Key, out var r) ? Math.Max(0, Stopwatch.GetElapsedTime(a.Value, r).TotalMilliseconds) : double.NaN)
    .ToList();
var missing = latencies.Count(double.IsNaN);
var sorted = latencies.Where(l => !double.IsNaN(l)).Order().ToArray();
double P(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
Console.WriteLine($"awards: {answered.Count} answered ({errors} errors) at {achieved:F0}/s; events received: {sorted.Length}, missing: {missing}");
Console.WriteLine($"award answer -> event received: p50 {P(0.50):F1} ms, p99 {P(0.99):F1} ms, max {(sorted.Length > 0 ? sorted[^1] : double.NaN):F1} ms   (goal: p99 <= 250 ms)");
return missing == 0 && errors == 0 ? 0 : 1;
