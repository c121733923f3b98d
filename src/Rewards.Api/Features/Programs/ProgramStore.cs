using System.Collections.Concurrent;
using System.Text.Json;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Errors;
using Rewards.Api.Infrastructure.Http;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Programs;

/// <summary>A program as loaded: its settings, the settings version, and its resolved time zone.</summary>
public sealed record ProgramSnapshot(ProgramDefinition Definition, long Version, TimeZoneInfo Zone, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, DateTimeOffset LoadedAt)
{
    public string Id => Definition.Id;

    /// <summary>The pointsExpiry policy, parsed once per load.</summary>
    public Lots.PointsExpiryPolicy Expiry { get; } = Lots.PointsExpiryPolicy.Of(Definition.PointsExpiry);
}

public enum SaveOutcome { Saved, AlreadyExists, Missing, Invalid, Conflict }

/// <summary>
/// Program settings in Redis, with a small per-instance cache. The cache is safe for awards because the award
/// script checks the settings version; other reads tolerate a few seconds of staleness after an update elsewhere.
/// </summary>
public sealed class ProgramStore(IConnectionMultiplexer redis, RewardsScripts scripts, TimeProvider clock)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    private static readonly JsonSerializerOptions Json = HttpSetup.StoredJson;
    private readonly ConcurrentDictionary<string, ProgramSnapshot> _cache = new(StringComparer.Ordinal);

    /// <summary>The program, from cache when fresh; <paramref name="reload"/> forces a read (after a version mismatch).</summary>
    public async ValueTask<ProgramSnapshot?> FindAsync(string programId, bool reload = false)
    {
        if (!Ids.IsValidId(programId))
        {
            return null;
        }
        var now = clock.GetUtcNow();
        if (!reload && _cache.TryGetValue(programId, out var cached) && now - cached.LoadedAt < CacheFor)
        {
            return cached;
        }
        var fields = await redis.GetDatabase().HashGetAsync(RedisKeys.Program(programId), ["json", "version", "createdAt", "updatedAt"]);
        if (fields[0].IsNull)
        {
            _cache.TryRemove(programId, out _);
            return null;
        }
        var definition = JsonSerializer.Deserialize<ProgramDefinition>(fields[0].ToString(), Json)!;
        var snapshot = Snapshot(definition, (long)fields[1], (long)fields[2], (long)fields[3], now);
        _cache[programId] = snapshot;
        return snapshot;
    }

    /// <summary>
    /// One page of the program index, newest first, and how many programs there are: the page's ids in one round trip, their
    /// names and time zones in a second, pipelined (programs live on different cluster slots, so no script can read them all).
    /// </summary>
    public async Task<(IReadOnlyList<ProgramsApi.ProgramSummary> Programs, long Total)> ListAsync(int offset, int limit)
    {
        var db = redis.GetDatabase();
        var total = db.SortedSetLengthAsync(RedisKeys.ProgramIndex);
        var ids = await db.SortedSetRangeByRankWithScoresAsync(RedisKeys.ProgramIndex, offset, offset + limit - 1, Order.Descending);
        var jsons = await Task.WhenAll(ids.Select(e => db.HashGetAsync(RedisKeys.Program(e.Element.ToString()), "json")));
        var page = new List<ProgramsApi.ProgramSummary>(ids.Length);
        for (var i = 0; i < ids.Length; i++)
        {
            // An index entry without a program (a crash between the two writes of a creation) is skipped.
            if (jsons[i].IsNull)
            {
                continue;
            }
            var definition = JsonSerializer.Deserialize<ProgramDefinition>(jsons[i].ToString(), Json)!;
            page.Add(new(definition.Id, definition.Name, definition.TimeZone,
                DateTimeOffset.FromUnixTimeMilliseconds((long)ids[i].Score)));
        }
        return (page, await total);
    }

    /// <summary>Saves a new program ('exists' when the id is taken).</summary>
    public async Task<(SaveOutcome Outcome, ProgramSnapshot? Program)> CreateAsync(ProgramDefinition definition)
    {
        var db = redis.GetDatabase();
        var now = clock.GetUtcNow();
        // Indexed first: a crash in between leaves an index entry without a program, which readers skip.
        await db.SortedSetAddAsync(RedisKeys.ProgramIndex, definition.Id, ProgramTime.ToUnixMs(now), SortedSetWhen.NotExists);
        return await RunSaveAsync(db, definition, "create", expectedVersion: 0, now);
    }

    /// <summary>How many times an update re-reads and re-applies its change when another update saved in between.</summary>
    private const int UpdateAttempts = 5;

    /// <summary>
    /// Replaces a program's settings with <paramref name="change"/> applied to the stored ones (a PUT ignores them, a PATCH merges
    /// into them). Optimistic: the save names the version it read and the change is applied again when another update came first.
    /// Activity types the change removes are kept as removed types (their boards stay readable within retention).
    /// </summary>
    public async Task<(SaveOutcome Outcome, ProgramSnapshot? Program, Validation? Errors)> UpdateAsync(
        string programId, Func<ProgramDefinition, (ProgramDefinition? Definition, Validation Errors)> change)
    {
        var db = redis.GetDatabase();
        for (var attempt = 0; attempt < UpdateAttempts; attempt++)
        {
            var fields = await db.HashGetAsync(RedisKeys.Program(programId), ["json", "version"]);
            if (fields[0].IsNull)
            {
                return (SaveOutcome.Missing, null, null);
            }
            var current = JsonSerializer.Deserialize<ProgramDefinition>(fields[0].ToString(), Json)!;
            var (next, errors) = change(current);
            if (next is null)
            {
                return (SaveOutcome.Invalid, null, errors);
            }
            var now = clock.GetUtcNow();
            ProgramTime.TryFindZone(next.TimeZone, out var zone);
            var removed = current.RemovedTypesAfter(next, now, zone);
            next = next with { RemovedTypes = removed.Count == 0 ? null : removed };
            var (outcome, saved) = await RunSaveAsync(db, next, "update", (long)fields[1], now);
            if (outcome != SaveOutcome.Conflict)
            {
                return (outcome, saved, null);
            }
        }
        return (SaveOutcome.Conflict, null, null);
    }

    private async Task<(SaveOutcome Outcome, ProgramSnapshot? Program)> RunSaveAsync(
        IDatabase db, ProgramDefinition definition, string mode, long expectedVersion, DateTimeOffset now)
    {
        var result = (RedisResult[])(await scripts.SaveProgram.RunAsync(db, ScriptArgs<SaveProgramScript>.Build(new(
            RedisKeys.Program(definition.Id), mode, JsonSerializer.Serialize(definition, Json), ProgramTime.ToUnixMs(now), expectedVersion))))!;
        switch ((string)result[0]!)
        {
            case "exists": return (SaveOutcome.AlreadyExists, null);
            case "missing": return (SaveOutcome.Missing, null);
            case "conflict": return (SaveOutcome.Conflict, null);
        }
        var snapshot = Snapshot(definition, (long)result[1], (long)result[2], ProgramTime.ToUnixMs(now), now);
        _cache[definition.Id] = snapshot;
        return (SaveOutcome.Saved, snapshot);
    }

    private static ProgramSnapshot Snapshot(ProgramDefinition definition, long version, long createdMs, long updatedMs, DateTimeOffset now)
    {
        ProgramTime.TryFindZone(definition.TimeZone, out var zone);
        return new ProgramSnapshot(definition, version, zone, ProgramTime.FromUnixMs(createdMs), ProgramTime.FromUnixMs(updatedMs), now);
    }
}
