using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Rewards.Api.Features.Events;

/// <summary>
/// A live stream of a program's events (or one member's) as Server-Sent Events: `id:` is the event id, `event:` its type,
/// `data:` its envelope. With a Last-Event-ID, the events after it are sent first from the stream itself, then live ones
/// (none twice, none missed: the subscription starts before the catch-up read). A Last-Event-ID older than the oldest event
/// kept gets a `reset` event (reload your state; its id is the newest event's, to resume from). Comment lines (`: heartbeat`)
/// go out every <see cref="EventsOptions.HeartbeatInterval"/>; a client too slow to keep up gets an `end` event and is closed.
/// </summary>
public sealed class EventStreamResult(string programId, string? memberId, EventId? lastEventId) : IResult, IEndpointMetadataProvider
{
    public const string ContentType = "text/event-stream";

    /// <summary>Entries a member stream's catch-up reads at most before it sends `reset` instead (member events are filtered from the program's stream).</summary>
    public const int MaxCatchUpScan = 100_000;

    private const int CatchUpChunk = 1_000;

    public async Task ExecuteAsync(HttpContext http)
    {
        var services = http.RequestServices;
        var hub = services.GetRequiredService<EventHub>();
        var store = services.GetRequiredService<EventStore>();
        var options = services.GetRequiredService<IOptions<EventsOptions>>().Value;
        var json = services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var aborted = http.RequestAborted;

        using var subscription = await hub.SubscribeAsync(programId, memberId, aborted);
        var response = http.Response;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        var body = response.Body;
        try
        {
            await body.WriteAsync(": connected\n\n"u8.ToArray(), aborted);
            await body.FlushAsync(aborted);

            var sent = lastEventId;
            if (lastEventId is { } resumeAfter)
            {
                sent = await CatchUpAsync(store, body, resumeAfter, json, aborted);
            }

            var reader = subscription.Events;
            Task<bool>? wait = null;
            while (!aborted.IsCancellationRequested)
            {
                wait ??= reader.WaitToReadAsync(aborted).AsTask();
                if (await Task.WhenAny(wait, Task.Delay(options.HeartbeatInterval, aborted)) != wait)
                {
                    await body.WriteAsync(": heartbeat\n\n"u8.ToArray(), aborted);
                    await body.FlushAsync(aborted);
                    continue;
                }
                var more = await wait;
                wait = null;
                if (!more)
                {
                    break; // completed: dropped, or disposed
                }
                while (reader.TryRead(out var e))
                {
                    if (sent is { } s && e.Id <= s)
                    {
                        continue; // already sent by the catch-up
                    }
                    await WriteEventAsync(body, e.Id.ToString(), e.Type, e.Json, aborted);
                    sent = e.Id;
                }
                await body.FlushAsync(aborted);
            }
            if (subscription.Dropped)
            {
                await WriteEventAsync(body, null, "end", Encoding.UTF8.GetBytes(
                    $$"""{"reason":"too_slow","detail":"This client fell more than {{options.ClientBuffer}} events behind and was disconnected; reconnect with Last-Event-ID to resume."}"""),
                    aborted);
                await body.FlushAsync(aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // the client left
        }
    }

    /// <summary>Sends what the stream holds after <paramref name="after"/> (a member's only for a member stream); returns the last id sent.</summary>
    private async Task<EventId?> CatchUpAsync(EventStore store, Stream body, EventId after, System.Text.Json.JsonSerializerOptions json,
        CancellationToken aborted)
    {
        var (oldest, newest) = await store.BoundsAsync(programId);
        if (oldest is { } o && o > after)
        {
            return await ResetAsync(body, newest, "Last-Event-ID is older than the oldest event kept (retention): reload your state.", aborted);
        }
        var from = after;
        for (var scanned = 0; ; )
        {
            var entries = await store.RangeAfterAsync(programId, from, CatchUpChunk);
            foreach (var entry in entries)
            {
                if (memberId is null || (string?)entry["member"] == memberId)
                {
                    var evt = EventStore.ToEvent(programId, entry);
                    await WriteEventAsync(body, evt.Id, evt.Type, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(evt, json), aborted);
                }
            }
            if (entries.Length > 0)
            {
                from = EventId.Parse(entries[^1].Id!);
            }
            scanned += entries.Length;
            if (entries.Length < CatchUpChunk)
            {
                break;
            }
            if (scanned >= MaxCatchUpScan)
            {
                return await ResetAsync(body, from, $"More than {MaxCatchUpScan:N0} events to catch up on: reload your state.", aborted);
            }
        }
        await body.FlushAsync(aborted);
        return from;
    }

    private static async Task<EventId?> ResetAsync(Stream body, EventId? resumeFrom, string detail, CancellationToken aborted)
    {
        await WriteEventAsync(body, resumeFrom?.ToString(), "reset",
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { reason = "reset", detail }), aborted);
        await body.FlushAsync(aborted);
        return resumeFrom;
    }

    private static async Task WriteEventAsync(Stream body, string? id, string type, byte[] data, CancellationToken aborted)
    {
        var head = id is null ? $"event: {type}\ndata: " : $"id: {id}\nevent: {type}\ndata: ";
        await body.WriteAsync(Encoding.UTF8.GetBytes(head), aborted);
        await body.WriteAsync(data, aborted);
        await body.WriteAsync("\n\n"u8.ToArray(), aborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), [ContentType]));
}
