using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Lots;

/// <summary>The keys and arguments of lots-expire.lua (which names the same list, in order).</summary>
[LuaScript("lots-expire")]
public sealed record ExpireLotsScript(RedisKey DueKey, RedisKey StatsKey, RedisKey EventStream,
    string Today, long Now, string MemberPrefix, int Chunk, long KpiTtl, string Ref, long EventsMaxLength) : IScriptArgs;

/// <summary>
/// The keys and arguments of lots-notice.lua (which names the same list, in order): one chunk of the 'points.expiring' pass.
/// FromScore/Skip: the cursor in the due set ('-inf', 0 to start); Horizon: the last expiry date announced ('yyyymmdd');
/// Days: 'yyyymmdd=expiresAt' for every date from the program's local today to Horizon.
/// </summary>
[LuaScript("lots-notice")]
public sealed record NoticeLotsScript(RedisKey DueKey, RedisKey EventStream,
    string FromScore, long Skip, string Horizon, long Now, string MemberPrefix, int Chunk, string Days, long EventsMaxLength) : IScriptArgs;
