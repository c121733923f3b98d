using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Faults;

/// <summary>The webhook phase of scripts/faults and the delivery part of scripts/bench events.</summary>
public static class WebhookFaults
{
    /// <summary>
    /// A receiver on 127.0.0.1:PORT: appends the webhook-id of every POST to FILE (one line each, flushed before the 200, so
    /// a killed receiver loses no acknowledged delivery) and answers GET /stats with "received distinct" counts.
    /// </summary>
    public static async Task<int> ReceiveAsync(Options o)
    {
        var port = (int)o.Long("port", 0);
        var flush = o.Long("flush", 1) == 1; // benchmarks: 0 (the receiver is not what is measured)
        var gate = new object();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long received = 0;
        await using var file = new StreamWriter(new FileStream(o.Required("out"), FileMode.Append, FileAccess.Write, FileShare.Read), Encoding.UTF8);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/{**path}", async (HttpContext http) =>
        {
            var id = http.Request.Headers["webhook-id"].ToString();
            await http.Request.Body.CopyToAsync(Stream.Null);
            lock (gate)
            {
                file.WriteLine(id);
                if (flush)
                {
                    file.Flush();
                }
                received++;
                seen.Add(id);
            }
            return Results.Text("ok");
        });
        app.MapGet("/stats", () => { lock (gate) { return Results.Text($"{received} {seen.Count}"); } });
        await app.RunAsync();
        return 0;
    }

    /// <summary>Appends COUNT events (types activity.awarded / tier.changed, members m-0…) to the program's stream at RATE per second.</summary>
    public static async Task<int> EmitAsync(Options o)
    {
        var programId = o.Required("program");
        var count = o.Long("count", 10_000);
        var rate = o.Long("rate", 2_000);
        var redis = await ConnectionMultiplexer.ConnectAsync(o.Required("redis"));
        await using (redis)
        {
            var db = redis.GetDatabase();
            var key = RedisKeys.Events(programId);
            var watch = Stopwatch.StartNew();
            const int batch = 100;
            for (long sent = 0; sent < count; sent += batch)
            {
                var n = (int)Math.Min(batch, count - sent);
                await Task.WhenAll(Enumerable.Range(0, n).Select(i =>
                {
                    var member = $"m-{(sent + i) % 1000}";
                    return db.StreamAddAsync(key,
                    [
                        new("type", (sent + i) % 10 == 0 ? "tier.changed" : "activity.awarded"), new("member", member), new("seq", sent + i + 1),
                        new("at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), new("data", $"{{\"points\":5,\"n\":{sent + i}}}"),
                    ]);
                }));
                var due = TimeSpan.FromSeconds((sent + n) / (double)rate);
                if (due > watch.Elapsed)
                {
                    await Task.Delay(due - watch.Elapsed);
                }
            }
            Console.WriteLine($"emitted {count} events in {watch.Elapsed.TotalSeconds:0.0} s");
        }
        return 0;
    }

    /// <summary>
    /// Every event of the program's stream (but webhook.disabled) was received at least once: prints emitted, delivered,
    /// duplicates and lost, and what Redis holds per delivery-log entry.
    /// </summary>
    public static async Task<int> AuditAsync(Options o)
    {
        var report = new Report();
        var programId = o.Required("program");
        var redis = await ConnectionMultiplexer.ConnectAsync(o.Required("redis"));
        await using (redis)
        {
            var db = redis.GetDatabase();
            var emitted = new List<string>();
            RedisValue from = "-";
            while (true)
            {
                var page = await db.StreamRangeAsync(RedisKeys.Events(programId), from, "+", 10_000);
                emitted.AddRange(page.Where(e => e["type"] != "webhook.disabled").Select(e => e.Id.ToString()));
                if (page.Length < 10_000)
                {
                    break;
                }
                from = "(" + page[^1].Id;
            }
            var lines = File.ReadAllLines(o.Required("received")).Where(l => l.Length > 0).ToList();
            var received = lines.ToHashSet(StringComparer.Ordinal);
            var delivered = emitted.Count(received.Contains);
            var lost = emitted.Count - delivered;
            Report.Info($"emitted {emitted.Count:N0}, delivered {delivered:N0}, duplicates {lines.Count - received.Count:N0} " +
                $"(deliveries received {lines.Count:N0}), lost {lost:N0}");
            report.Check(emitted.Count > 0, "events were emitted");
            report.Check(lost == 0, lost == 0 ? "every event was delivered at least once" :
                $"{lost} events never delivered, e.g. {string.Join(", ", emitted.Where(e => !received.Contains(e)).Take(5))}");
            var tasks = await db.SortedSetLengthAsync(RedisKeys.WebhookTasks(programId));
            report.Check(tasks == 0, $"no delivery left queued ({tasks})");
            if (o.Optional("endpoint") is { } endpoint)
            {
                var log = RedisKeys.WebhookLog(programId, endpoint);
                var entries = await db.StreamLengthAsync(log);
                var bytes = (long)(await db.ExecuteAsync("MEMORY", "USAGE", (string)log!, "SAMPLES", "0"));
                Report.Info($"delivery log: {entries:N0} entries kept, {bytes:N0} bytes in Redis = {(entries == 0 ? 0 : bytes / entries):N0} bytes per delivery record");
            }
        }
        return report.Failed ? 1 : 0;
    }
}
