using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Lots;

/// <summary>The keys and arguments of lots-expire.lua (which names the same list, in order).</summary>
[LuaScript("lots-expire")]
public sealed record ExpireLotsScript(RedisKey DueKey, RedisKey StatsKey, RedisKey EventStream,
    string Today, long Now, string MemberPrefix, int Chunk, long KpiTtl, string Ref, long EventsMaxLength) : IScriptArgs;

/// <summary>
/// The keys and arguments of lots-notice.lua (which names the same list, in order): one chunk of the 'points.expiring' pass.
/// Start: the rank in the due set to read from (0, then + Chunk); Horizon: the last expiry date announced ('yyyymmdd');
/// Days: 'yyyymmdd=expiresAt' for every date from the program's local today to Horizon.
/// </summary>
[LuaScript("lots-notice")]
public sealed record NoticeLotsScript(RedisKey DueKey, RedisKey EventStream,
    long Start, string Horizon, long Now, string MemberPrefix, int Chunk, string Days, long EventsMaxLength) : IScriptArgs;
