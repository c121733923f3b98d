namespace Rewards.Api.Infrastructure.Redis;

/// <summary>
/// The fields of an activity hash (<see cref="RedisKeys.Activity"/>), named once on the C# side; Scripts/activity.lua
/// names the same fields for the scripts (ScriptContractTests checks that both agree).
/// </summary>
public static class ActivityFields
{
    public const string Member = "member";
    public const string Type = "type";
    public const string Target = "target";
    public const string OccurredAt = "occurredAt";
    public const string RecordedAt = "recordedAt";
    public const string Status = "status";
    public const string Reason = "reason";
    public const string Points = "points";
    public const string Day = "day";
    public const string Week = "week";
    public const string Month = "month";
    public const string Holds = "holds";
    public const string ModeratedAt = "moderatedAt";
    public const string ModerationReason = "moderationReason";
    /// <summary>The lot (expiry date, yyyymmdd) the activity's points went into; absent without a pointsExpiry policy.</summary>
    public const string Lot = "lot";
}
