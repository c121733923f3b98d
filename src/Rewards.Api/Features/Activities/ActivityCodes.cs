using System.Text.Json.Serialization;

namespace Rewards.Api.Features.Activities;

// The activity codes: the wire strings are those award.lua and moderate.lua write and Redis stores (see WireCode).

/// <summary>Where a recorded activity stands.</summary>
public enum ActivityStatus
{
    [JsonStringEnumMemberName("awarded")] Awarded,
    [JsonStringEnumMemberName("pending")] Pending,
    [JsonStringEnumMemberName("rejected")] Rejected,
    [JsonStringEnumMemberName("reversed")] Reversed,
}

/// <summary>
/// Why an activity earned no points (its status is rejected) or waits (pending, held by the velocity rule). An activity
/// pending for an ordinary approval rule has no reason.
/// </summary>
public enum ActivityReason
{
    [JsonStringEnumMemberName("member_suspended")] MemberSuspended,
    [JsonStringEnumMemberName("member_erased")] MemberErased,
    [JsonStringEnumMemberName("duplicate_target")] DuplicateTarget,
    [JsonStringEnumMemberName("cooldown")] Cooldown,
    [JsonStringEnumMemberName("already_referred")] AlreadyReferred,
    [JsonStringEnumMemberName("daily_cap_reached")] DailyCapReached,
    [JsonStringEnumMemberName("weekly_cap_reached")] WeeklyCapReached,
    [JsonStringEnumMemberName("velocity")] Velocity,
}

/// <summary>What a moderator does to an activity (the route's last segment; moderate.lua's action argument).</summary>
public enum ModerationAction
{
    [JsonStringEnumMemberName("approve")] Approve,
    [JsonStringEnumMemberName("reject")] Reject,
    [JsonStringEnumMemberName("reverse")] Reverse,
}

public static class ActivityCodes
{
    /// <summary>The one explanation of each reason: the ledger's, the API description's. A new reason must be added here.</summary>
    public static string Explain(ActivityReason reason) => reason switch
    {
        ActivityReason.MemberSuspended => "the member is suspended",
        ActivityReason.MemberErased => "the member was erased",
        ActivityReason.DuplicateTarget => "this member already contributed to this target",
        ActivityReason.Cooldown => "too soon after the previous one (cooldown)",
        ActivityReason.AlreadyReferred => "this member was already referred",
        ActivityReason.DailyCapReached => "the daily cap for this activity type is reached",
        ActivityReason.WeeklyCapReached => "the weekly cap for this activity type is reached",
        ActivityReason.Velocity => "the member recorded activities faster than the program's velocity limit",
    };

    /// <summary>Every reason with its explanation, for the record-activity description (generated, so it cannot drift).</summary>
    public static string ReasonList() =>
        string.Join("; ", Infrastructure.Codes.WireCode<ActivityReason>.All.Select(r => $"`{r.ToWire()}`: {Explain(r)}"));
}
