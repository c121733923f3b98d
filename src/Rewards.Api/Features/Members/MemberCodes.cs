using System.Text.Json.Serialization;

namespace Rewards.Api.Features.Members;

// The member codes: the wire strings are those the scripts write in the member hash and the ledger (see WireCode).

/// <summary>A member's status. Erased members are never shown (their routes answer 404).</summary>
public enum MemberStatus
{
    [JsonStringEnumMemberName("active")] Active,
    [JsonStringEnumMemberName("suspended")] Suspended,
    [JsonStringEnumMemberName("erased")] Erased,
}

/// <summary>What a ledger entry records.</summary>
public enum LedgerKind
{
    /// <summary>Points awarded at once.</summary>
    [JsonStringEnumMemberName("award")] Award,
    /// <summary>Points waiting for moderation (pendingPoints).</summary>
    [JsonStringEnumMemberName("pending")] Pending,
    /// <summary>A pending activity approved: its points are awarded.</summary>
    [JsonStringEnumMemberName("approval")] Approval,
    /// <summary>No points: refused by a rule (the reason is an activity reason code) or rejected by a moderator (the reason is theirs).</summary>
    [JsonStringEnumMemberName("rejection")] Rejection,
    /// <summary>Points clawed back by a moderator (negative points).</summary>
    [JsonStringEnumMemberName("reversal")] Reversal,
    /// <summary>A badge earned (target and reason hold the badge id).</summary>
    [JsonStringEnumMemberName("badge")] Badge,
    /// <summary>A tier reached or dropped (reason holds the tier's number, 0 = none).</summary>
    [JsonStringEnumMemberName("tier")] Tier,
}

/// <summary>A moderation action on a member (member-status.lua's action argument).</summary>
public enum StatusChange
{
    [JsonStringEnumMemberName("suspend")] Suspend,
    [JsonStringEnumMemberName("reinstate")] Reinstate,
    [JsonStringEnumMemberName("erase")] Erase,
}
