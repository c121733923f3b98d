using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Lots;

/// <summary>The keys and arguments of lots-expire.lua (which names the same list, in order).</summary>
[LuaScript("lots-expire")]
public sealed record ExpireLotsScript(RedisKey DueKey, RedisKey StatsKey, RedisKey EventStream,
    string Today, long Now, string MemberPrefix, int Chunk, long KpiTtl, string Ref, long EventsMaxLength) : IScriptArgs;
