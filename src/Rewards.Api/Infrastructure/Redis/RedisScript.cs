using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace Rewards.Api.Infrastructure.Redis;

/// <summary>
/// A Lua script shipped as an embedded resource. It runs by SHA (EVALSHA); a server that does not know the
/// script yet (first call, restart, new cluster node) gets it once through EVAL, which also caches it there.
/// </summary>
public sealed class RedisScript
{
    private readonly string _body;
    private readonly byte[] _sha1;

    private RedisScript(string name, string body)
    {
        Name = name;
        _body = body;
        _sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(body));
    }

    public string Name { get; }

    /// <summary>The script <paramref name="name"/>, preceded by the shared Lua libraries it uses (e.g. boards).</summary>
    public static RedisScript FromResource(string name, params string[] libraries) =>
        new(name, string.Concat(libraries.Append(name).Select(Read)));

    private static string Read(string name)
    {
        var resource = $"Rewards.Api.Scripts.{name}.lua";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded script '{resource}' is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public async Task<RedisResult> RunAsync(IDatabaseAsync db, RedisKey[] keys, RedisValue[] args)
    {
        try
        {
            return await db.ScriptEvaluateAsync(_sha1, keys, args);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await db.ScriptEvaluateAsync(_body, keys, args);
        }
    }
}

/// <summary>The scripts of the API, loaded once per process.</summary>
public sealed class RewardsScripts
{
    public RedisScript Award { get; } = RedisScript.FromResource("award", "boards", "gamification");
    public RedisScript Moderate { get; } = RedisScript.FromResource("moderate", "boards", "gamification");
    public RedisScript UpsertMember { get; } = RedisScript.FromResource("upsert-member", "gamification");
    public RedisScript MemberStatus { get; } = RedisScript.FromResource("member-status", "member-erase");
    public RedisScript SaveProgram { get; } = RedisScript.FromResource("save-program");
    public RedisScript ReadLeaderboard { get; } = RedisScript.FromResource("leaderboard-read");
    public RedisScript ReadLeaderboardArchive { get; } = RedisScript.FromResource("leaderboard-archive-read");
    public RedisScript GrantPerkChunk { get; } = RedisScript.FromResource("perk-grant-chunk", "gamification");
    public RedisScript Ambassadors { get; } = RedisScript.FromResource("ambassadors");
    public RedisScript ClaimOffer { get; } = RedisScript.FromResource("perk-claim", "gamification");
    public RedisScript AnswerInvitation { get; } = RedisScript.FromResource("perk-rsvp", "gamification");
    public RedisScript CreatePerk { get; } = RedisScript.FromResource("perk-create", "perk-codes");
    public RedisScript AddPerkCodes { get; } = RedisScript.FromResource("perk-codes-add", "perk-codes");
    public RedisScript DeletePerk { get; } = RedisScript.FromResource("perk-delete");
    public RedisScript UngrantPerkChunk { get; } = RedisScript.FromResource("perk-ungrant-chunk");
    public RedisScript ReadNews { get; } = RedisScript.FromResource("news-read");
    public RedisScript ReserveClient { get; } = RedisScript.FromResource("client-reserve");
}
