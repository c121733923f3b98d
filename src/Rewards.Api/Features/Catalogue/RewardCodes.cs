using System.Text.Json.Serialization;

namespace Rewards.Api.Features.Catalogue;

// The reward codes: the wire strings are those stored in the reward and redemption hashes and written by the redemption
// scripts (Scripts/codes.lua holds the Lua side's: redemption, refusal, fulfilment; LuaCodesTests checks they agree).

/// <summary>What a member gets for their points.</summary>
public enum RewardKind
{
    /// <summary>A code from the reward's pool (codes unique, like an offer's).</summary>
    [JsonStringEnumMemberName("code")] Code,
    /// <summary>A code the API generates: unambiguous (no O/0, I/1), unique.</summary>
    [JsonStringEnumMemberName("voucher")] Voucher,
    /// <summary>An item the brand ships: fulfilment pending → shipped → delivered | failed.</summary>
    [JsonStringEnumMemberName("physical")] Physical,
    /// <summary>Grants an existing event invitation or offer (a perk) to the member, shown in their inbox like a scheduled grant.</summary>
    [JsonStringEnumMemberName("perk")] Perk,
}

/// <summary>The period a per-member limit counts in (local to the program's time zone), or ever.</summary>
public enum LimitPeriod
{
    [JsonStringEnumMemberName("day")] Day,
    [JsonStringEnumMemberName("week")] Week,
    [JsonStringEnumMemberName("month")] Month,
    [JsonStringEnumMemberName("ever")] Ever,
}

/// <summary>A redemption's state: reserved → confirmed → fulfilled | cancelled | expired.</summary>
public enum RedemptionState
{
    /// <summary>Held (points and stock) until `holdUntil`, then confirmed, cancelled or expired.</summary>
    [JsonStringEnumMemberName("reserved")] Reserved,
    [JsonStringEnumMemberName("confirmed")] Confirmed,
    /// <summary>A physical reward delivered.</summary>
    [JsonStringEnumMemberName("fulfilled")] Fulfilled,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
    /// <summary>A hold not confirmed in time: released by itself.</summary>
    [JsonStringEnumMemberName("expired")] Expired,
}

/// <summary>Why a redemption is refused (problem `reason`).</summary>
public enum RedemptionRefusal
{
    [JsonStringEnumMemberName("insufficient_points")] InsufficientPoints,
    [JsonStringEnumMemberName("out_of_stock")] OutOfStock,
    [JsonStringEnumMemberName("limit_reached")] LimitReached,
    [JsonStringEnumMemberName("not_eligible")] NotEligible,
    [JsonStringEnumMemberName("not_available")] NotAvailable,
    [JsonStringEnumMemberName("member_suspended")] MemberSuspended,
}

/// <summary>Where a physical reward's delivery stands.</summary>
public enum FulfilmentStatus
{
    [JsonStringEnumMemberName("pending")] Pending,
    [JsonStringEnumMemberName("shipped")] Shipped,
    [JsonStringEnumMemberName("delivered")] Delivered,
    [JsonStringEnumMemberName("failed")] Failed,
}

public static class RewardCodes
{
    public static string Explain(RewardKind kind) => kind switch
    {
        RewardKind.Code => "a code from the reward's pool",
        RewardKind.Voucher => "a code the API generates",
        RewardKind.Physical => "an item the brand ships",
        RewardKind.Perk => "grants the event invitation or offer `perkId`",
    };

    /// <summary>The refusal's HTTP status: 409 for what the member's or the reward's state decides now, 422 for the reward's rules.</summary>
    public static int StatusOf(RedemptionRefusal refusal) => refusal switch
    {
        RedemptionRefusal.InsufficientPoints or RedemptionRefusal.OutOfStock or RedemptionRefusal.LimitReached
            or RedemptionRefusal.MemberSuspended => StatusCodes.Status409Conflict,
        RedemptionRefusal.NotEligible or RedemptionRefusal.NotAvailable => StatusCodes.Status422UnprocessableEntity,
    };

    public static string Explain(RedemptionRefusal refusal) => refusal switch
    {
        RedemptionRefusal.InsufficientPoints => "the balance is below the cost (409)",
        RedemptionRefusal.OutOfStock => "not enough stock or codes left (409)",
        RedemptionRefusal.LimitReached => "the member's limit for the period is used up (409)",
        RedemptionRefusal.NotEligible => "the member is outside the reward's audience (minTier, badge) or holds the perk already (422)",
        RedemptionRefusal.NotAvailable => "the reward is inactive, outside its window, or its perk is not active (422)",
        RedemptionRefusal.MemberSuspended => "the member is suspended (409)",
    };
}
