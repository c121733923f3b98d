using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Perks;

/// <summary>The keys and arguments of perk-create.lua (PublicAt and EarlyAt in unix ms, "" unless news).</summary>
[LuaScript("perk-create")]
public sealed record CreatePerkScript(
    RedisKey PerkIndex, RedisKey PerkKey, RedisKey CodeList, RedisKey CodeSet, RedisKey NewsByPublicAt, RedisKey NewsByEarlyAt,
    string PerkId, string Json, long CreatedAt, long MaxPerks, long MaxPool, RedisValue PublicAt, RedisValue EarlyAt, RedisValue[] Codes) : IScriptArgs;

/// <summary>The keys and arguments of perk-codes-add.lua.</summary>
[LuaScript("perk-codes-add")]
public sealed record AddPerkCodesScript(RedisKey PerkKey, RedisKey CodeList, RedisKey CodeSet, long MaxPool, RedisValue[] Codes) : IScriptArgs;

/// <summary>The keys and arguments of perk-delete.lua (RunPrefix: RedisKeys.PerkRun without the run id).</summary>
[LuaScript("perk-delete")]
public sealed record DeletePerkScript(
    RedisKey PerkKey, RedisKey PerkIndex, RedisKey NewsByPublicAt, RedisKey NewsByEarlyAt, RedisKey CodeList, RedisKey CodeSet,
    RedisKey Accepted, RedisKey Waitlist, RedisKey Declined, RedisKey RunIds, RedisKey Claims, string PerkId, string RunPrefix) : IScriptArgs;

/// <summary>The keys and arguments of perk-ungrant-chunk.lua (Prefix: RedisKeys.MemberPrefix).</summary>
[LuaScript("perk-ungrant-chunk")]
public sealed record UngrantPerkChunkScript(RedisKey MemberIndex, string PerkId, long Start, long Count, string Prefix) : IScriptArgs;

/// <summary>The keys and arguments of news-read.lua: MemberGrants is the member's grants hash, or none for public news.</summary>
[LuaScript("news-read")]
public sealed record ReadNewsScript(RedisKey NewsByPublicAt, RedisKey NewsByEarlyAt, RedisKey[] MemberGrants, long Now, long Offset, long Limit,
    string Prefix) : IScriptArgs;
