using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace Rewards.Faults;

/// <summary>
/// Sends awards at full speed from N workers until the stop file appears (or --max-seconds), and writes one JSON line
/// per request with its answer. An in-flight request is never cancelled by the stop, so every request sent has its
/// answer on file. Workers alternate between the API instances request by request.
/// </summary>
public static class Drive
{
    /// <summary>Activity types the fault program defines (see scripts/faults), with how often each is sent.</summary>
    private static readonly (string Type, int Weight)[] Mix = [("comment", 40), ("vote", 30), ("share", 20), ("review", 10)];
    private const int VoteTargets = 30;

    /// <summary>A client seeing a failure backs off briefly instead of spinning (the API says Retry-After: 1).</summary>
    private static readonly TimeSpan PauseAfterFailure = TimeSpan.FromMilliseconds(50);

    public static async Task<int> RunAsync(Options o)
    {
        var urls = o.List("urls");
        var run = o.Required("run");
        var workers = (int)o.Long("workers", 48);
        var members = (int)o.Long("members", 1000);
        var stopFile = o.Optional("stop-file");
        var maxSeconds = o.Long("max-seconds", 120);
        using var client = new AwardClient(urls, o.Required("token"), o.Required("program"), workers,
            TimeSpan.FromMilliseconds(o.Long("timeout-ms", 5000)));

        var answers = Channel.CreateUnbounded<AwardAnswer>(new UnboundedChannelOptions { SingleReader = true });
        var writer = WriteAsync(o.Required("out"), answers.Reader);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(maxSeconds));
        var watcher = WatchStopFileAsync(stopFile, stop);

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            // Seeded per worker: the same run sends the same sequence of members and types.
            var random = new Random(w);
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var request = Next(random, $"{run}-{w:D2}-{n:D7}", members);
                var answer = await client.SendAsync(request, (w + n) % client.Instances);
                answers.Writer.TryWrite(answer);
                if (answer.Status != 201)
                {
                    await Task.Delay(PauseAfterFailure);
                }
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        answers.Writer.Complete();
        var counts = await writer;
        stop.Cancel();
        await watcher;

        var total = counts.Values.Sum();
        Console.WriteLine($"drive: {total} requests in {seconds:F1} s ({total / seconds:F0}/s), {workers} workers, {urls.Length} API instance(s); " +
            $"answers: {Describe(counts)}");
        return 0;
    }

    public static string Describe(IReadOnlyDictionary<int, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{StatusName(c.Key)} {c.Value}"));

    public static string StatusName(int status) => status switch { 0 => "timeout", -1 => "no-connection", _ => status.ToString() };

    private static AwardRequest Next(Random random, string key, int members)
    {
        var member = $"m{random.Next(members):D4}";
        var pick = random.Next(Mix.Sum(m => m.Weight));
        var type = Mix.First(m => (pick -= m.Weight) < 0).Type;
        return new AwardRequest(key, member, type, type == "vote" ? $"item-{random.Next(VoteTargets)}" : null);
    }

    private static async Task<Dictionary<int, int>> WriteAsync(string path, ChannelReader<AwardAnswer> reader)
    {
        var counts = new Dictionary<int, int>();
        await using var file = new StreamWriter(path);
        await foreach (var answer in reader.ReadAllAsync())
        {
            counts[answer.Status] = counts.GetValueOrDefault(answer.Status) + 1;
            await file.WriteLineAsync(JsonSerializer.Serialize(answer, AwardClient.Json));
        }
        return counts;
    }

    private static async Task WatchStopFileAsync(string? path, CancellationTokenSource stop)
    {
        if (path is null)
        {
            return;
        }
        while (!stop.IsCancellationRequested && !File.Exists(path))
        {
            await Task.Delay(100, CancellationToken.None);
        }
        stop.Cancel();
    }

    /// <summary>Reads a file written by drive (or by the retry pass).</summary>
    public static List<AwardAnswer> Read(string path) =>
        [.. File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<AwardAnswer>(l, AwardClient.Json)!)];
}
