using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Rewards.Tests.Features.Webhooks;

/// <summary>One request a receiver got: the Standard Webhooks headers and the body as sent.</summary>
public sealed record ReceivedWebhook(string Id, string Timestamp, string Signature, string Body, DateTimeOffset At);

/// <summary>
/// A real HTTP server on a loopback port (Kestrel) standing for a brand's system: it records every request and answers what
/// <see cref="Answer"/> says (200 by default), so tests see exactly what went over the wire.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>The answer to the next request: status, optional Retry-After (seconds) and body.</summary>
    public Func<ReceivedWebhook, (int Status, int? RetryAfter, string Body)> Answer { get; set; } = _ => (200, null, "thanks");

    public string Url { get; private set; } = "";

    /// <summary>The Location header of 3xx answers.</summary>
    public string? RedirectTo { get; set; }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var received = new ReceivedWebhook(http.Request.Headers["webhook-id"].ToString(), http.Request.Headers["webhook-timestamp"].ToString(),
                http.Request.Headers["webhook-signature"].ToString(), await reader.ReadToEndAsync(), DateTimeOffset.UtcNow);
            receiver.Received.Enqueue(received);
            var (status, retryAfter, body) = receiver.Answer(received);
            http.Response.StatusCode = status;
            if (retryAfter is { } seconds)
            {
                http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            if (status is >= 300 and < 400 && receiver.RedirectTo is { } location)
            {
                http.Response.Headers.Location = location;
            }
            await http.Response.WriteAsync(body);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = address.TrimEnd('/') + "/hooks/rewards";
        return receiver;
    }

    /// <summary>Waits (real time) until the receiver got <paramref name="count"/> requests matching the filter; fails after the timeout.</summary>
    public async Task<List<ReceivedWebhook>> WaitForAsync(int count, Func<ReceivedWebhook, bool>? filter = null, int timeoutMs = 10_000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var matching = Received.Where(filter ?? (_ => true)).ToList();
            if (matching.Count >= count)
            {
                return matching;
            }
            Assert.True(DateTime.UtcNow < until, $"the receiver got {matching.Count} of {count} expected deliveries in {timeoutMs} ms");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
