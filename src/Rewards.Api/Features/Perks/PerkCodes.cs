using System.Text.Json.Serialization;

namespace Rewards.Api.Features.Perks;

// The perk codes: the wire strings are those stored in the perk JSON and hashes and written by the perk scripts (see WireCode).

public enum PerkKind
{
    /// <summary>A code from a pool, one per member, revealed when claimed.</summary>
    [JsonStringEnumMemberName("offer")] Offer,
    /// <summary>An invitation with a capacity: RSVP, waitlist.</summary>
    [JsonStringEnumMemberName("event")] Event,
    /// <summary>Content for the audience from earlyAt, for everyone from publicAt.</summary>
    [JsonStringEnumMemberName("news")] News,
}

/// <summary>A perk's status. Deleted perks are never shown (their routes answer 404).</summary>
public enum PerkStatus
{
    [JsonStringEnumMemberName("active")] Active,
    [JsonStringEnumMemberName("paused")] Paused,
    [JsonStringEnumMemberName("deleted")] Deleted,
}

/// <summary>Where a grant run stands: the audience is snapshotted, then granted chunk by chunk.</summary>
public enum PerkRunStatus
{
    [JsonStringEnumMemberName("snapshotting")] Snapshotting,
    [JsonStringEnumMemberName("granting")] Granting,
    [JsonStringEnumMemberName("done")] Done,
}

/// <summary>Who receives a perk.</summary>
public enum AudienceType
{
    [JsonStringEnumMemberName("all")] All,
    [JsonStringEnumMemberName("members")] Members,
    [JsonStringEnumMemberName("minLifetimePoints")] MinLifetimePoints,
    [JsonStringEnumMemberName("minTier")] MinTier,
    [JsonStringEnumMemberName("badge")] Badge,
    [JsonStringEnumMemberName("top")] Top,
}

/// <summary>Which period of a board window a top-N audience is taken from.</summary>
public enum AudiencePeriod
{
    /// <summary>The period running when the grant runs.</summary>
    [JsonStringEnumMemberName("current")] Current,
    /// <summary>The last closed period (its archive); not for the all-time window.</summary>
    [JsonStringEnumMemberName("last")] Last,
}

/// <summary>When a perk's grants run.</summary>
public enum ScheduleType
{
    [JsonStringEnumMemberName("now")] Now,
    [JsonStringEnumMemberName("at")] At,
    [JsonStringEnumMemberName("cron")] Cron,
}

/// <summary>An offer code's state in the codes list.</summary>
public enum OfferCodeState
{
    /// <summary>In the pool, not handed out yet.</summary>
    [JsonStringEnumMemberName("free")] Free,
    [JsonStringEnumMemberName("claimed")] Claimed,
}

/// <summary>A member's state for a perk in their inbox.</summary>
public enum MemberPerkState
{
    /// <summary>An offer not claimed yet, or news.</summary>
    [JsonStringEnumMemberName("new")] New,
    [JsonStringEnumMemberName("claimed")] Claimed,
    [JsonStringEnumMemberName("expired")] Expired,
    [JsonStringEnumMemberName("invited")] Invited,
    [JsonStringEnumMemberName("accepted")] Accepted,
    [JsonStringEnumMemberName("waitlisted")] Waitlisted,
    [JsonStringEnumMemberName("declined")] Declined,
}

/// <summary>What perk-claim.lua answers.</summary>
public enum ClaimOutcome
{
    /// <summary>The member's code (the same on every claim).</summary>
    [JsonStringEnumMemberName("code")] Code,
    /// <summary>The member holds no grant of the perk.</summary>
    [JsonStringEnumMemberName("none")] None,
    [JsonStringEnumMemberName("expired")] Expired,
    /// <summary>The pool has no code left.</summary>
    [JsonStringEnumMemberName("empty")] Empty,
}

/// <summary>A member's answer to an invitation.</summary>
public enum RsvpAnswer
{
    [JsonStringEnumMemberName("accept")] Accept,
    [JsonStringEnumMemberName("decline")] Decline,
}

/// <summary>What perk-rsvp.lua answers: the member's state after answering, or none without an invitation.</summary>
public enum RsvpOutcome
{
    [JsonStringEnumMemberName("accepted")] Accepted,
    [JsonStringEnumMemberName("waitlisted")] Waitlisted,
    [JsonStringEnumMemberName("declined")] Declined,
    [JsonStringEnumMemberName("none")] None,
}

public static class PerkCodes
{
    public static string Explain(PerkKind kind) => kind switch
    {
        PerkKind.Offer => "codes, one per granted member",
        PerkKind.Event => "capacity, RSVP, waitlist",
        PerkKind.News => "early then public",
    };

    public static string Explain(AudienceType type) => type switch
    {
        AudienceType.All => "every active member",
        AudienceType.Members => "the listed `memberIds`",
        AudienceType.MinLifetimePoints => "at least `points` lifetime points",
        AudienceType.MinTier => "in `tier` or above",
        AudienceType.Badge => "holders of `badge`",
        AudienceType.Top => "the top `count` of a `board` `window`, its `period` current or last closed",
    };

    public static string Explain(ScheduleType type) => type switch
    {
        ScheduleType.Now => "at once",
        ScheduleType.At => "at the instant `at`",
        ScheduleType.Cron => "on the 5-field `cron` in `timeZone`",
    };

    /// <summary>The states a member's perk of the kind can be in (the inbox shows one).</summary>
    public static IReadOnlyList<MemberPerkState> StatesOf(PerkKind kind) => kind switch
    {
        PerkKind.Offer => [MemberPerkState.New, MemberPerkState.Claimed, MemberPerkState.Expired],
        PerkKind.Event => [MemberPerkState.Invited, MemberPerkState.Accepted, MemberPerkState.Waitlisted, MemberPerkState.Declined],
        PerkKind.News => [MemberPerkState.New],
    };

    /// <summary>"a (what a is), b (what b is)": a code set for an endpoint description, generated so that it cannot drift.</summary>
    public static string List<T>(Func<T, string> explain) where T : struct, Enum =>
        string.Join(", ", WireCode<T>.All.Select(v => $"`{v.ToWire()}` ({explain(v)})"));
}
