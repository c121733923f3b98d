using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Perks;

/// <summary>The keys and arguments of perk-grant-chunk.lua (MinLifetime -1 = none, Badge '' = none).</summary>
[LuaScript("perk-grant-chunk")]
public sealed record GrantPerkChunkScript(
    RedisKey RunKey, RedisKey AudienceKey, RedisKey PerkKey, RedisKey TodayStats, RedisKey EventStream,
    string RunId, long ExpectedCursor, long ChunkSize, string PerkId, long Now, long MinLifetime, string Prefix, long KpiTtl,
    string Badge, long EventsMaxLength) : IScriptArgs;

/// <summary>The keys and arguments of perk-claim.lua.</summary>
[LuaScript("perk-claim")]
public sealed record ClaimOfferScript(
    RedisKey GrantsKey, RedisKey CodePool, RedisKey PerkKey, RedisKey TodayStats, RedisKey Claims, RedisKey MemberKey, RedisKey EventStream,
    string PerkId, bool Expired, long KpiTtl, long Now, string MemberId, long EventsMaxLength) : IScriptArgs;

/// <summary>The keys and arguments of perk-codes-list.lua (read only; State '' = all, 'claimed' or 'free').</summary>
[LuaScript("perk-codes-list")]
public sealed record ListOfferCodesScript(RedisKey Claims, RedisKey CodeList, string MemberPrefix, string PerkId, string State, long Offset, long Limit) : IScriptArgs;

/// <summary>The keys and arguments of perk-rsvp.lua (Answer 'accept' or 'decline').</summary>
[LuaScript("perk-rsvp")]
public sealed record AnswerInvitationScript(
    RedisKey GrantsKey, RedisKey AcceptedKey, RedisKey WaitlistKey, RedisKey DeclinedKey, RedisKey TodayStats, RedisKey MemberKey,
    RedisKey EventStream,
    string PerkId, string MemberId, string Answer, long Capacity, long Now, long KpiTtl, string MemberPrefix, long EventsMaxLength) : IScriptArgs;
