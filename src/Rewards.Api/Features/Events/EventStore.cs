using System.Globalization;
using Microsoft.Extensions.Options;
using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Events;

/// <summary>A stream id ("ms-seq"), compared as Redis compares them.</summary>
public readonly record struct EventId(ulong Milliseconds, ulong Sequence) : IComparable<EventId>
{
    public static bool TryParse(string? text, out EventId id)
    {
        id = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        var dash = text.IndexOf('-');
        ulong seq = 0;
        if (!ulong.TryParse(dash < 0 ? text : text[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || (dash >= 0 && !ulong.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out seq)))
        {
            return false;
        }
        id = new EventId(ms, seq);
        return true;
    }

    public static EventId Parse(string text) => TryParse(text, out var id) ? id : throw new FormatException($"Not a stream id: {text}");

    public int CompareTo(EventId other) => Milliseconds != other.Milliseconds ? Milliseconds.CompareTo(other.Milliseconds) : Sequence.CompareTo(other.Sequence);

    public static bool operator <(EventId a, EventId b) => a.CompareTo(b) < 0;

    public static bool operator >(EventId a, EventId b) => a.CompareTo(b) > 0;

    public static bool operator <=(EventId a, EventId b) => a.CompareTo(b) <= 0;

    public static bool operator >=(EventId a, EventId b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Milliseconds}-{Sequence}";
}

/// <param name="Events">The page, oldest first.</param>
/// <param name="NextAfter">Where the next poll starts (`after`): the id of the last event read (or skipped by `types`); `after` again when nothing is new.</param>
/// <param name="Reset">`after` is older than the oldest event the stream keeps: events may have been lost to retention, reload your state. The page starts at the oldest kept event.</param>
public sealed record EventPage(IReadOnlyList<ProgramEvent> Events, string? NextAfter, bool Reset);

/// <summary>
/// Reads a program's event stream (RedisKeys.Events) and keeps it within its retention. The scripts write it (events.lua);
/// nothing here writes an event.
/// </summary>
public sealed class EventStore(IConnectionMultiplexer redis, RewardsScripts scripts, IOptions<EventsOptions> options)
{
    /// <summary>Entries one filtered poll reads at most (so a page may hold fewer than `limit`; continue from nextAfter).</summary>
    public const int MaxScanPerPage = 10_000;

    private const int ScanChunk = 1_000;
    private const int ScrubChunk = 1_000;

    /// <summary>
    /// The events after <paramref name="after"/> (from the oldest kept without it), of the given types (all without), at most
    /// <paramref name="limit"/>; one round trip without a type filter.
    /// </summary>
    public async Task<EventPage> ReadAsync(string programId, EventId? after, IReadOnlySet<string>? types, int limit)
    {
        var db = redis.GetDatabase();
        var key = RedisKeys.Events(programId);
        var first = after is null ? null : db.StreamRangeAsync(key, "-", "+", 1);
        var events = new List<ProgramEvent>(limit);
        var from = after;
        string? last = after?.ToString();
        var scanned = 0;
        var reset = false;
        while (true)
        {
            var chunk = types is null ? limit - events.Count : ScanChunk;
            var entries = await db.StreamRangeAsync(key, from is { } f ? $"({f}" : "-", "+", chunk);
            if (first is not null)
            {
                var oldest = await first;
                reset = oldest.Length > 0 && EventId.Parse(oldest[0].Id!) > after!.Value;
                first = null;
            }
            foreach (var entry in entries)
            {
                last = entry.Id!;
                scanned++;
                if (types is null || types.Contains((string?)entry["type"] ?? ""))
                {
                    events.Add(ToEvent(programId, entry));
                    if (events.Count == limit)
                    {
                        break;
                    }
                }
            }
            if (events.Count == limit || entries.Length < chunk || scanned >= MaxScanPerPage)
            {
                break;
            }
            from = EventId.Parse(last!);
        }
        return new EventPage(events, last, reset);
    }

    /// <summary>The oldest and newest ids the stream keeps (null when empty), in one round trip.</summary>
    public async Task<(EventId? Oldest, EventId? Newest)> BoundsAsync(string programId)
    {
        var db = redis.GetDatabase();
        var key = RedisKeys.Events(programId);
        var oldest = db.StreamRangeAsync(key, "-", "+", 1);
        var newest = await db.StreamRangeAsync(key, "-", "+", 1, Order.Descending);
        var o = await oldest;
        return (o.Length == 0 ? null : EventId.Parse(o[0].Id!), newest.Length == 0 ? null : EventId.Parse(newest[0].Id!));
    }

    /// <summary>Up to <paramref name="count"/> entries after <paramref name="after"/> (exclusive), oldest first.</summary>
    public async Task<StreamEntry[]> RangeAfterAsync(string programId, EventId after, int count) =>
        await redis.GetDatabase().StreamRangeAsync(RedisKeys.Events(programId), $"({after}", "+", count);

    public static ProgramEvent ToEvent(string programId, StreamEntry entry) =>
        ProgramEvent.FromEntry(programId, entry.Id!, name => entry[name] is { IsNull: false } v ? (string?)v : null);

    /// <summary>
    /// Drops the events older than the retention (by their id's time, the Redis server's clock), exactly (XTRIM MINID): this
    /// runs every few minutes off the request path, so it can afford to cut inside a stream node.
    /// </summary>
    public async Task<long> TrimAsync(string programId, DateTimeOffset now)
    {
        var minId = $"{(now - options.Value.Retention).ToUnixTimeMilliseconds()}-0";
        return (long)await redis.GetDatabase().ExecuteAsync("XTRIM", RedisKeys.Events(programId), "MINID", minId);
    }

    /// <summary>Deletes the events of every member erased since the last call (events-scrub.lua, chunk by chunk); how many members.</summary>
    public async Task<int> ScrubErasedAsync(string programId)
    {
        var db = redis.GetDatabase();
        var members = await db.HashKeysAsync(RedisKeys.EventScrubs(programId));
        foreach (var member in members)
        {
            var after = "";
            do
            {
                after = (string)(await scripts.ScrubEvents.RunAsync(db, ScriptArgs<ScrubEventsScript>.Build(new(
                    RedisKeys.Events(programId), RedisKeys.EventScrubs(programId), member!, after, ScrubChunk))))!;
            } while (after.Length > 0);
        }
        return members.Length;
    }
}

/// <summary>The keys and arguments of events-scrub.lua (After '' = from the oldest event).</summary>
[LuaScript("events-scrub")]
public sealed record ScrubEventsScript(RedisKey EventStream, RedisKey EventScrubs, string MemberId, string After, long Chunk) : IScriptArgs;
