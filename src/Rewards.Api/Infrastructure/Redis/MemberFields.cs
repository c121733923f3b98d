namespace Rewards.Api.Infrastructure.Redis;

/// <summary>
/// The fields of a member hash (<see cref="RedisKeys.Member"/>), named once on the C# side. The Lua side names the same
/// fields in Scripts/member.lua (MemberFieldsTests checks that both agree: each constant here is the Lua name in
/// UPPER_SNAKE case).
/// </summary>
public static class MemberFields
{
    public const string Status = "status";
    public const string Balance = "balance";
    public const string Lifetime = "lifetime";
    public const string CreatedAt = "createdAt";
    public const string DisplayName = "displayName";
    public const string Locale = "locale";
    public const string Flagged = "flagged";
    public const string ErasedAt = "erasedAt";
    public const string StreakDay = "streakDay";
    public const string Streak = "streak";
    public const string BestStreak = "bestStreak";
    public const string Badges = "badges";
    public const string Tier = "tier";
    public const string EventSeq = "evseq";

    /// <summary>
    /// The latest lot expiry date ('yyyymmdd') a 'points.expiring' event announced to the member (lots-notice.lua): lots dated
    /// on or before it are not announced again. Removed with the member's last lot (lots-expire.lua) and by erasure.
    /// </summary>
    public const string ExpiringNoticed = "noticed";

    /// <summary>Points held by reserved redemptions (already out of the balance, back on cancel or expiry).</summary>
    public const string Held = "held";

    /// <summary>Prefixes of the per-type and per-board fields (the type or board name follows).</summary>
    public const string TypePoints = "t:";
    public const string TypeCount = "c:";
    public const string LastAt = "lastAt:";
    public const string BoardEntry = "lb:";
    public const string BoardWindows = "w:";
    public const string BoardPeriod = "e:";

    /// <summary>Points earned with an activity type.</summary>
    public static string TypePointsOf(string activityType) => TypePoints + activityType;

    /// <summary>Awarded activities of a type (count badges).</summary>
    public static string TypeCountOf(string activityType) => TypeCount + activityType;

    /// <summary>The member's entry on a board's all-time set.</summary>
    public static string BoardEntryOf(string board) => BoardEntry + board;

    /// <summary>The member's period fields on a board and when their boards expire: "periodId@expiresAt;..." (boards.lua).</summary>
    public static string BoardWindowsOf(string board) => BoardWindows + board;

    /// <summary>The member's points and commit sequence on a window period's board: "points:seq" (boards.lua).</summary>
    public static string BoardPeriodOf(string board, string periodId) => BoardPeriod + board + ":" + periodId;
}
