using Rewards.Api.Features.Events;
using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Catalogue;

/// <summary>The keys and arguments of reward-save.lua (which names the same list, in order).</summary>
[LuaScript("reward-save")]
public sealed record RewardSaveScript(
    RedisKey Reward, RedisKey Index, RedisKey Codes, RedisKey CodeSet,
    string Mode, string RewardId, long Now, string Json, string Kind, long Cost, string Stock, string StockMode, long LimitCount,
    string LimitPeriod, string From, string Until, long MinTier, string Badge, bool Active, string PerkId, long MaxPool, string NewCodes) : IScriptArgs;

/// <summary>The keys and arguments of redeem.lua (which names the same list, in order).</summary>
[LuaScript("redeem")]
public sealed record RedeemScript(
    IdempotencySlot Idempotency, RedisKey Member, RedisKey Ledger, RedisKey Lots, RedisKey LotsDue, RedisKey Reward, RedisKey RewardCodes, RedisKey RewardCodeSet,
    RedisKey Redemption, RedisKey MemberRedemptions, RedisKey ProgramRedemptions, RedisKey Holds, RedisKey Stats,
    string RedemptionId, string MemberId, string RewardId, long Quantity, bool Hold, long HoldUntil, long Now,
    string Day, string Week, string Month, long LimitTtl, string Vouchers, string Client, long KpiTtl,
    string MemberPrefix, string RewardPrefix, string RedemptionPrefix, string PerkPrefix, long SweepMax, EventWrites Events) : IScriptArgs;

/// <summary>The keys and arguments of redemption-change.lua (which names the same list, in order).</summary>
[LuaScript("redemption-change")]
public sealed record RedemptionChangeScript(
    RedisKey Redemption, RedisKey Holds, RedisKey LotsDue, RedisKey Stats,
    string RedemptionId, string MemberId, string Action, long Now, long KpiTtl,
    string MemberPrefix, string RewardPrefix, string RedemptionPrefix, string PerkPrefix, EventWrites Events) : IScriptArgs;

/// <summary>The keys and arguments of redemption-sweep.lua (which names the same list, in order).</summary>
[LuaScript("redemption-sweep")]
public sealed record RedemptionSweepScript(
    RedisKey Holds, RedisKey LotsDue, RedisKey Stats,
    long Now, long Max, long KpiTtl, string MemberPrefix, string RewardPrefix, string RedemptionPrefix, string PerkPrefix, EventWrites Events) : IScriptArgs;
