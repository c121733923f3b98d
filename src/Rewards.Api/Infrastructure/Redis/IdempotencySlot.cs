using System.Security.Cryptography;
using System.Text;

namespace Rewards.Api.Infrastructure.Redis;

/// <summary>
/// Where one idempotency key's record lives, as the Lua module idempotency.lua reads and writes it (its keys and arguments,
/// spliced into a write script's own): the hash of the current generation and the key's shard, the same shard of the
/// previous generation, and the key's own string (old layout, overflow). A write path that must answer retries the same
/// way builds one with <see cref="For"/> and calls <c>idempotency.find</c> / <c>idempotency.store</c> in its script;
/// <see cref="FindAsync"/> reads a record outside a script. Layout and sizes: docs/storage.md.
/// </summary>
[LuaScript("idempotency")]
public sealed record IdempotencySlot(RedisKey Current, RedisKey Previous, RedisKey Own, RedisValue Field, RedisValue RequestHash,
    long Ttl) : IScriptArgs
{
    /// <summary>Records are answered for at least this long (the API contract promises 24 hours): one generation.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(48);

    /// <summary>Shards per generation: 10 bits of the key hash (docs/storage.md: why 1,024).</summary>
    public const int ShardBits = 10;

    /// <summary>Bytes of the key hash that name a record in its hash (96 bits: no collision among billions of keys).</summary>
    public const int FieldBytes = 12;

    /// <summary>Bytes of the request hash a record starts with, to tell a retry from another request under the same key.</summary>
    public const int CheckBytes = 8;

    /// <summary>How long records of the old layout may still be found after a program's first award under the new one.</summary>
    public static readonly TimeSpan LegacyWindow = Retention + TimeSpan.FromHours(1); // + a rolling upgrade's margin

    /// <summary>The generation an instant falls in (generation g covers [g·retention, (g+1)·retention) in Unix time).</summary>
    public static long GenerationOf(DateTimeOffset at) => at.ToUnixTimeSeconds() / (long)Retention.TotalSeconds;

    /// <summary>
    /// The slot of a key (<paramref name="keyHash"/>: <see cref="Hash"/> of the client's key) for a request
    /// (<paramref name="requestHash"/>: <see cref="Hash"/> of what identifies the request) at <paramref name="now"/>.
    /// </summary>
    public static IdempotencySlot For(string programId, string keyHash, string requestHash, DateTimeOffset now)
    {
        Span<byte> key = stackalloc byte[16];
        Convert.FromHexString(keyHash, key, out _, out _);
        var shard = ((key[FieldBytes] << 8) | key[FieldBytes + 1]) & ((1 << ShardBits) - 1);
        var generation = GenerationOf(now);
        var retention = (long)Retention.TotalSeconds;
        return new IdempotencySlot(
            RedisKeys.IdempotencyGeneration(programId, generation, shard), RedisKeys.IdempotencyGeneration(programId, generation - 1, shard),
            RedisKeys.Idempotency(programId, keyHash), key[..FieldBytes].ToArray(), Convert.FromHexString(requestHash),
            (generation + 2) * retention - now.ToUnixTimeSeconds());
    }

    /// <summary>The hash form of keys and requests: 32 hex characters (16 bytes) of SHA-256.</summary>
    public static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..32];

    /// <summary>
    /// The stored record, read as the module's find does (current generation, previous one, then the key's own string, whose
    /// record is checked by the caller's parser): null when none. Reads the three in one pipelined round trip.
    /// </summary>
    public async Task<byte[]?> FindAsync(IDatabaseAsync db)
    {
        var current = db.HashGetAsync(Current, Field);
        var previous = db.HashGetAsync(Previous, Field);
        var own = db.StringGetAsync(Own);
        var value = await current;
        if (value.IsNull)
        {
            value = await previous;
        }
        if (value.IsNullOrEmpty)
        {
            value = await own;
        }
        return value.IsNull ? null : (byte[])value!;
    }
}
