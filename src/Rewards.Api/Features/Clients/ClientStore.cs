using System.Security.Cryptography;
using System.Text;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Clients;

public sealed record ApiClient(
    string ClientId, string ProgramId, string Name, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public bool IsRevoked => RevokedAt is not null;
}

/// <summary>
/// API clients in Redis. Secrets are 256-bit random values shown once; only their SHA-256 is stored
/// (a slow password hash adds nothing for secrets of that entropy and would cost at every token request).
/// </summary>
public sealed class ClientStore(IConnectionMultiplexer redis, RewardsScripts scripts, TimeProvider clock)
{
    private const string IdPrefix = "rc_";

    public static bool LooksLikeClientId(string? value) =>
        value is { Length: 27 } && value.StartsWith(IdPrefix, StringComparison.Ordinal) && value[3..].All(char.IsAsciiHexDigitLower);

    /// <summary>
    /// Creates a client within the program's active-clients quota (null when the program holds <paramref name="maxActive"/>
    /// already, with their count). The place in the program's index is reserved by a script that counts and adds at once,
    /// so concurrent creations never pass the quota together; the record (platform-level, another slot) follows.
    /// </summary>
    public async Task<(ApiClient Client, string Secret)?> CreateAsync(string programId, string name, IReadOnlyList<string> scopes, int maxActive)
    {
        var clientId = IdPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        var db = redis.GetDatabase();
        var reserved = (RedisResult[])(await scripts.ReserveClient.RunAsync(db, ScriptArgs<ReserveClientScript>.Build(new(
            RedisKeys.ProgramClients(programId), RedisKeys.ProgramRevokedClients(programId), clientId, maxActive))))!;
        if ((string)reserved[0]! != "ok")
        {
            return null;
        }
        // Index first, then the record: a crash in between leaves an index entry without a record, which lists skip.
        try
        {
            await db.HashSetAsync(RedisKeys.Client(clientId),
            [
                new("program", programId), new("name", name), new("scopes", string.Join(' ', scopes)),
                new("secretHash", HashSecret(secret)), new("createdAt", ProgramTime.ToUnixMs(now)),
            ]);
        }
        catch (RedisException)
        {
            await db.SetRemoveAsync(RedisKeys.ProgramClients(programId), clientId); // give the place back when Redis lets us
            throw;
        }
        return (new ApiClient(clientId, programId, name, scopes, now, null), secret);
    }

    /// <summary>One page of the program's clients, oldest first, and how many there are (revoked ones included).</summary>
    public async Task<(IReadOnlyList<ApiClient> Clients, long Total)> ListAsync(string programId, int offset, int limit)
    {
        var db = redis.GetDatabase();
        // SORT ... ALPHA LIMIT pages the id set in Redis; client ids are random, so this order is stable, not chronological.
        var ids = await db.SortAsync(RedisKeys.ProgramClients(programId), offset, limit, sortType: SortType.Alphabetic);
        var total = await db.SetLengthAsync(RedisKeys.ProgramClients(programId));
        var records = await Task.WhenAll(ids.Select(id => db.HashGetAllAsync(RedisKeys.Client(id.ToString()))));
        return (ids.Zip(records)
            .Select(r => ToClient(r.First.ToString(), r.Second))
            .Where(c => c is not null && c.ProgramId == programId)
            .Select(c => c!)
            .ToList(), total);
    }

    /// <summary>The client when the id exists and the secret matches (revoked clients are returned; callers refuse them).</summary>
    public async Task<ApiClient?> AuthenticateAsync(string clientId, string secret)
    {
        if (!LooksLikeClientId(clientId))
        {
            return null;
        }
        var entries = await redis.GetDatabase().HashGetAllAsync(RedisKeys.Client(clientId));
        var stored = entries.FirstOrDefault(e => e.Name == "secretHash").Value;
        return !stored.IsNull && SecretsEqual(stored.ToString(), HashSecret(secret)) ? ToClient(clientId, entries) : null;
    }

    /// <summary>
    /// Revokes a client of the program: it gets no new tokens, and every instance refuses the tokens it holds and the member
    /// tokens it issued within a second or so (the program's revocation log, read by RevocationList). False when the program
    /// has no such client. Repeating it is harmless (a retry after a failure between the two writes completes it).
    /// </summary>
    public async Task<bool> RevokeAsync(string programId, string clientId)
    {
        if (!LooksLikeClientId(clientId))
        {
            return false;
        }
        var db = redis.GetDatabase();
        var key = RedisKeys.Client(clientId);
        if (await db.HashGetAsync(key, "program") != programId)
        {
            return false;
        }
        await db.HashSetAsync(key, "revokedAt", ProgramTime.ToUnixMs(clock.GetUtcNow()), When.NotExists);
        await db.SetAddAsync(RedisKeys.ProgramRevokedClients(programId), clientId); // frees its place in the active-clients quota
        // Real time, as tokens' iat is: tokens issued up to now stop working.
        await db.SortedSetAddAsync(RedisKeys.Revocations(programId), $"client:{clientId}", TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds());
        return true;
    }

    public static string HashSecret(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool SecretsEqual(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    private static ApiClient? ToClient(string clientId, HashEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return null;
        }
        var f = entries.ToDictionary(e => e.Name.ToString(), e => e.Value);
        return new ApiClient(clientId, f["program"]!, f["name"]!, f["scopes"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries),
            ProgramTime.FromUnixMs((long)f["createdAt"]), f.TryGetValue("revokedAt", out var r) ? ProgramTime.FromUnixMs((long)r) : null);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
