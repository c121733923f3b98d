using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Infrastructure.Auth;

/// <summary>
/// Revoked clients and members, in memory, so that token validation checks revocation without a Redis read. Each program's
/// revocation log (<see cref="RedisKeys.Revocations"/>: written by client revocation and by member suspension or erasure, in
/// the same script run as the status change) is loaded when this instance first sees a token of the program, then read
/// incrementally by <see cref="RevocationPoller"/> every <see cref="AuthOptions.RevocationPollInterval"/> (1 s).
/// A token is refused when its issuing client, or its member for a member token, was revoked at or after the token's
/// <c>iat</c> (whole seconds): a member reinstated after a suspension gets working tokens again.
/// Per request: two dictionary lookups (program, then client or member), no allocation.
/// </summary>
public sealed class RevocationList(IConnectionMultiplexer redis, IOptions<AuthOptions> options, ILogger<RevocationList> logger)
{
    /// <summary>Entries written with an older time than the latest seen (instances' clocks differ) are still picked up.</summary>
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, ProgramRevocations> _programs = new(StringComparer.Ordinal);

    /// <summary>Entries older than the longest token lifetime revoke nothing any more.</summary>
    public TimeSpan Retention => (options.Value.AccessTokenLifetime > options.Value.MemberTokenLifetime
        ? options.Value.AccessTokenLifetime : options.Value.MemberTokenLifetime) + TimeSpan.FromMinutes(1);

    public bool IsTracked(string programId) => _programs.ContainsKey(programId);

    /// <summary>True when the token (of a program) was issued at or before its client's or member's revocation.</summary>
    public bool IsRevoked(string programId, string? clientId, string? memberId, long issuedAtMs)
    {
        if (!_programs.TryGetValue(programId, out var program))
        {
            return false; // callers track a program before they accept its first token
        }
        var current = program.Entries;
        if (current.Count == 0)
        {
            return false;
        }
        return (clientId is not null && current.Clients.TryGetValue(clientId, out var clientAt) && issuedAtMs <= clientAt)
            || (memberId is not null && current.Members.TryGetValue(memberId, out var memberAt) && issuedAtMs <= memberAt);
    }

    /// <summary>Loads a program's log the first time one of its tokens is seen here (once per program and instance).</summary>
    public async Task TrackAsync(string programId)
    {
        if (_programs.ContainsKey(programId))
        {
            return;
        }
        var program = new ProgramRevocations();
        var since = DateTimeOffset.UtcNow - Retention;
        program.Merge(await redis.GetDatabase().SortedSetRangeByScoreWithScoresAsync(RedisKeys.Revocations(programId), since.ToUnixTimeMilliseconds()));
        _programs.TryAdd(programId, program);
    }

    /// <summary>Reads what every tracked program's log gained since the last read: one pipelined batch.</summary>
    public async Task RefreshAsync()
    {
        if (_programs.IsEmpty)
        {
            return;
        }
        var db = redis.GetDatabase();
        var reads = _programs.Select(p => (Program: p.Value,
            Read: db.SortedSetRangeByScoreWithScoresAsync(RedisKeys.Revocations(p.Key), p.Value.LatestMs - (long)Overlap.TotalMilliseconds))).ToList();
        foreach (var (program, read) in reads)
        {
            try
            {
                program.Merge(await read);
            }
            catch (RedisException e)
            {
                logger.LogWarning(e, "Reading a revocation log failed; retrying at the next poll.");
            }
        }
    }

    /// <summary>Drops entries past every token's lifetime, in Redis and in memory.</summary>
    public async Task TrimAsync()
    {
        var before = (DateTimeOffset.UtcNow - Retention).ToUnixTimeMilliseconds();
        var db = redis.GetDatabase();
        await Task.WhenAll(_programs.Select(p => db.SortedSetRemoveRangeByScoreAsync(RedisKeys.Revocations(p.Key), double.NegativeInfinity, before)));
        foreach (var program in _programs.Values)
        {
            program.Forget(before);
        }
    }

    /// <summary>One program's revoked clients and members (time in unix ms), replaced as a whole when the log grows.</summary>
    private sealed class ProgramRevocations
    {
        private readonly Lock _write = new();

        public volatile Snapshot Entries = Snapshot.Empty;

        public long LatestMs;

        public void Merge(SortedSetEntry[] read)
        {
            if (read.Length == 0)
            {
                return;
            }
            lock (_write)
            {
                var clients = new Dictionary<string, long>(Entries.Clients, StringComparer.Ordinal);
                var members = new Dictionary<string, long>(Entries.Members, StringComparer.Ordinal);
                var changed = false;
                foreach (var entry in read)
                {
                    var name = entry.Element.ToString();
                    var at = (long)entry.Score;
                    var (target, id) = name.StartsWith("client:", StringComparison.Ordinal) ? (clients, name[7..])
                        : name.StartsWith("member:", StringComparison.Ordinal) ? (members, name[7..]) : (null, "");
                    if (target is not null && (!target.TryGetValue(id, out var known) || known < at))
                    {
                        target[id] = at;
                        changed = true;
                    }
                    LatestMs = Math.Max(LatestMs, at);
                }
                if (changed)
                {
                    Entries = new Snapshot(clients.ToFrozenDictionary(StringComparer.Ordinal), members.ToFrozenDictionary(StringComparer.Ordinal));
                }
            }
        }

        public void Forget(long beforeMs)
        {
            lock (_write)
            {
                var current = Entries;
                if (current.Clients.Values.Any(at => at < beforeMs) || current.Members.Values.Any(at => at < beforeMs))
                {
                    Entries = new Snapshot(current.Clients.Where(e => e.Value >= beforeMs).ToFrozenDictionary(StringComparer.Ordinal),
                        current.Members.Where(e => e.Value >= beforeMs).ToFrozenDictionary(StringComparer.Ordinal));
                }
            }
        }
    }

    private sealed record Snapshot(FrozenDictionary<string, long> Clients, FrozenDictionary<string, long> Members)
    {
        public static readonly Snapshot Empty = new(FrozenDictionary<string, long>.Empty, FrozenDictionary<string, long>.Empty);

        public int Count => Clients.Count + Members.Count;
    }
}

/// <summary>Reads the revocation logs every <see cref="AuthOptions.RevocationPollInterval"/>, trims them every few minutes.</summary>
public sealed class RevocationPoller(RevocationList revocations, IOptions<AuthOptions> options, ILogger<RevocationPoller> logger) : BackgroundService
{
    private static readonly TimeSpan TrimEvery = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RevocationPollInterval);
        var lastTrim = DateTimeOffset.UtcNow;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await revocations.RefreshAsync();
                if (DateTimeOffset.UtcNow - lastTrim > TrimEvery)
                {
                    lastTrim = DateTimeOffset.UtcNow;
                    await revocations.TrimAsync();
                }
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                logger.LogWarning(e, "Refreshing the revocation list failed; retrying at the next poll.");
            }
        }
    }
}
