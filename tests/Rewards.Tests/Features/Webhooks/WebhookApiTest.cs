using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Tests.Infrastructure;
using StackExchange.Redis;

namespace Rewards.Tests.Features.Webhooks;

/// <summary>Helpers of the webhook tests: endpoints, events put in a program's stream, the delivery log, the spec's verifier.</summary>
public abstract class WebhookApiTest(RewardsApiFactory factory) : ApiTest(factory), IAsyncLifetime
{
    private readonly List<string> _programs = [];

    protected async Task<(string Id, string Secret)> CreateEndpointAsync(string programId, string url, string[]? eventTypes = null)
    {
        var created = await PostJsonAsync($"/v1/programs/{programId}/webhooks", new { url, eventTypes }, HttpStatusCode.Created);
        _programs.Add(programId);
        return (created.GetProperty("endpoint").GetProperty("id").GetString()!, created.GetProperty("secret").GetString()!);
    }

    /// <summary>
    /// Deletes the test's endpoints, so that the shared API's dispatcher stops retrying them (their receivers are gone) while
    /// later tests run: the hostile-input walk checks that nothing in Redis changes behind its back.
    /// </summary>
    public new async Task DisposeAsync()
    {
        foreach (var programId in _programs.Distinct())
        {
            var list = await GetJsonAsync($"/v1/programs/{programId}/webhooks?limit=100");
            foreach (var endpoint in list.GetProperty("endpoints").EnumerateArray())
            {
                await Client.DeleteAsync($"/v1/programs/{programId}/webhooks/{endpoint.GetProperty("id").GetString()}");
            }
        }
    }

    /// <summary>
    /// Appends a well-formed event to the program's stream, as the events module does with every change (fields of the
    /// PREAMBLE contract: type, member, seq, at, data); returns its id.
    /// </summary>
    protected async Task<string> AppendEventAsync(string programId, string type, string member = "", object? data = null)
    {
        var id = await Factory.Redis.GetDatabase().StreamAddAsync(RedisKeys.Events(programId),
        [
            new("type", type), new("member", member), new("seq", member.Length == 0 ? "" : "1"),
            new("at", Factory.Clock.GetUtcNow().ToUnixTimeMilliseconds()), new("data", JsonSerializer.Serialize(data ?? new { })),
        ]);
        return id.ToString();
    }

    protected async Task<List<JsonElement>> DeliveriesAsync(string programId, string endpointId, int expectedAtLeast = 0, int timeoutMs = 10_000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var page = await GetJsonAsync($"/v1/programs/{programId}/webhooks/{endpointId}/deliveries?limit=100");
            var list = page.GetProperty("deliveries").EnumerateArray().ToList();
            if (list.Count >= expectedAtLeast)
            {
                return list;
            }
            Assert.True(DateTime.UtcNow < until, $"{list.Count} of {expectedAtLeast} delivery attempts logged in {timeoutMs} ms");
            await Task.Delay(20);
        }
    }

    protected Task<JsonElement> EndpointAsync(string programId, string endpointId) =>
        GetJsonAsync($"/v1/programs/{programId}/webhooks/{endpointId}");

    /// <summary>Moves the fake clock and gives the dispatcher (polling every 20 ms of real time) a moment to see it.</summary>
    protected void Advance(TimeSpan by) => Factory.Clock.Advance(by);

    /// <summary>Nothing more arrives for a while (real time): for "and only then" checks.</summary>
    protected static async Task QuietAsync(int ms = 300) => await Task.Delay(ms);

    private static readonly SemaphoreSlim NpmInstall = new(1, 1);

    /// <summary>
    /// Verifies deliveries with the Standard Webhooks reference library (npm standardwebhooks, run by Node): one answer per
    /// delivery, "ok" or "refused: why". Installs the package from its lockfile on first use (npm ci).
    /// </summary>
    protected static async Task<List<string>> VerifyWithSpecLibraryAsync(string secret, IEnumerable<ReceivedWebhook> deliveries)
    {
        var folder = Path.Combine(RepositoryRoot.Path, "tests", "Rewards.Tests", "Features", "Webhooks", "verifier");
        await NpmInstall.WaitAsync();
        try
        {
            if (!Directory.Exists(Path.Combine(folder, "node_modules", "standardwebhooks")))
            {
                var (code, output) = await RunAsync("npm", folder, ["ci", "--no-audit", "--no-fund"], "");
                Assert.True(code == 0, "npm ci of the verifier failed: " + output);
            }
        }
        finally
        {
            NpmInstall.Release();
        }
        var lines = string.Join('\n', deliveries.Select(d => JsonSerializer.Serialize(new
        {
            secret,
            headers = new Dictionary<string, string> { ["webhook-id"] = d.Id, ["webhook-timestamp"] = d.Timestamp, ["webhook-signature"] = d.Signature },
            body = d.Body,
        })));
        var (exit, answer) = await RunAsync("node", folder, ["verify.mjs"], lines + "\n");
        Assert.True(exit == 0, "node verify.mjs failed: " + answer);
        return answer.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string folder, string[] args, string input)
    {
        var start = new ProcessStartInfo(file, args)
        {
            WorkingDirectory = folder, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
