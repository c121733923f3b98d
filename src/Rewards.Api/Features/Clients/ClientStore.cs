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
public sealed class ClientStore(IConnectionMultiplexer redis, TimeProvider clock)
{
    private const string IdPrefix = "rc_";

    public static bool LooksLikeClientId(string? value) =>
        value is { Length: 27 } && value.StartsWith(IdPrefix, StringComparison.Ordinal) && value[3..].All(char.IsAsciiHexDigitLower);

    public async Task<(ApiClient Client, string Secret)> CreateAsync(string programId, string name, IReadOnlyList<string> scopes)
    {
        var clientId = IdPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        var db = redis.GetDatabase();
        // Record first, then the program's index: a crash in between leaves a client that is listed nowhere but works.
        await db.HashSetAsync(RedisKeys.Client(clientId),
        [
            new("program", programId), new("name", name), new("scopes", string.Join(' ', scopes)),
            new("secretHash", HashSecret(secret)), new("createdAt", ProgramTime.ToUnixMs(now)),
        ]);
        await db.SetAddAsync(RedisKeys.ProgramClients(programId), clientId);
        return (new ApiClient(clientId, programId, name, scopes, now, null), secret);
    }

    public async Task<IReadOnlyList<ApiClient>> ListAsync(string programId)
    {
        var db = redis.GetDatabase();
        var ids = await db.SetMembersAsync(RedisKeys.ProgramClients(programId));
        var records = await Task.WhenAll(ids.Select(id => db.HashGetAllAsync(RedisKeys.Client(id.ToString()))));
        return ids.Zip(records)
            .Select(r => ToClient(r.First.ToString(), r.Second))
            .Where(c => c is not null && c.ProgramId == programId)
            .Select(c => c!)
            .OrderBy(c => c.CreatedAt)
            .ToList();
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
