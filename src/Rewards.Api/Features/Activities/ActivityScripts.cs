using System.Globalization;
using System.Text;
using Rewards.Api.Features.Events;
using Rewards.Api.Features.Leaderboards;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Activities;

/// <summary>
/// The keys and arguments of one award (award.lua names the same list, in order, as offsets into the award's slice of
/// KEYS and ARGV; a run carries several). Keys and arguments are two lists: each parameter below is the next of its list
/// (BoardWrites brings its keys and its arguments), whatever the keys and arguments around it.
/// </summary>
[LuaScript("award")]
public sealed record AwardScript(
    RedisKey Program, IdempotencySlot Idempotency, RedisKey Member, RedisKey Ledger, RedisKey Activity, RedisKey DayCap, RedisKey WeekCap,
    RedisKey Targets, RedisKey MemberIndex, RedisKey MemberIds,
    long Version, string ActivityId, RedisValue ActivityIdBytes, string MemberId, string ActivityType, string Target, long OccurredAt,
    long Now, long Points, long DailyCap, long WeeklyCap, bool UniquePerTarget, long Cooldown, bool RequiresApproval,
    long LegacyIdempotencyUntil, long DayCapTtl, long WeekCapTtl, string Day, string Week, string Month,
    BoardWrites Boards,
    RedisKey Stats, RedisKey ActiveMembers, RedisKey Velocity, RedisKey AmbassadorDay, RedisKey Flagged, RedisKey Referral,
    RedisKey Pending, string Tiers, string Badges, long DayNumber, long VelocityMax, long KpiTtl, bool IsReferral, long DetailTtl,
    EventWrites Events) : IScriptArgs;

/// <summary>The keys and arguments of moderate.lua (which names the same list, in order).</summary>
[LuaScript("moderate")]
public sealed record ModerateScript(
    RedisKey Activity, RedisKey Member, RedisKey Ledger, RedisKey DayCap, RedisKey WeekCap, RedisKey Targets,
    string Action, string ActivityId, string MemberId, long Now, string Reason,
    BoardWrites Boards,
    RedisKey ActivityDayStats, RedisKey TodayStats, RedisKey AmbassadorDay, RedisKey Referral, RedisKey Pending,
    string Tiers, string Badges, long DayNumber, long KpiTtl, long DetailTtl, EventWrites Events) : IScriptArgs;

/// <summary>
/// The award's answer as award.lua stores it (module idempotency) and returns it. Read here only. Two layouts:
/// <list type="bullet">
/// <item>current: 8 bytes of the request hash (the check), the activity id (16 bytes), then '|'-separated with trailing empty
/// fields left out: <c>&lt;status letter a|p|r&gt;&lt;reason&gt;|points (pending points when pending)|balance|lifetime ('' = the
/// balance)|tier ('' = 0)|tierChanged ('1' or '')|newBadges|retryAt</c>;</item>
/// <item>old (one string per key, honoured while it can exist): <c>requestHash|activityId|status|reason|points|pendingPoints|
/// balance|lifetime|tier|tierChanged|newBadges|retryAt</c> (retryAt absent from records stored before it existed).</item>
/// </list>
/// retryAt: Unix ms, for a cooldown refusal.
/// </summary>
public static class AwardRecord
{
    private const int IdBytes = 16;

    /// <summary>The answer the record holds; null when it was stored for another request (another request hash).</summary>
    public static ActivityResult? Parse(byte[] record, string requestHash, ProgramDefinition program)
    {
        var legacyPrefix = Encoding.ASCII.GetBytes(requestHash + "|");
        if (record.AsSpan().StartsWith(legacyPrefix))
        {
            return ParseLegacy(Encoding.UTF8.GetString(record), program);
        }
        var check = Convert.FromHexString(requestHash.AsSpan(0, IdempotencySlot.CheckBytes * 2));
        if (record.Length < IdempotencySlot.CheckBytes + IdBytes + 1 || !record.AsSpan().StartsWith(check))
        {
            return null;
        }
        var activityId = Convert.ToHexStringLower(record, IdempotencySlot.CheckBytes, IdBytes);
        var f = Encoding.UTF8.GetString(record, IdempotencySlot.CheckBytes + IdBytes, record.Length - IdempotencySlot.CheckBytes - IdBytes)
            .Split('|');
        string Field(int i) => i < f.Length ? f[i] : "";
        var status = StatusOf(f[0][0]);
        var points = long.Parse(Field(1), CultureInfo.InvariantCulture);
        var balance = long.Parse(Field(2), CultureInfo.InvariantCulture);
        return new ActivityResult(activityId, status, ActivityStore.ReasonOf(f[0][1..]), status == ActivityStatus.Pending ? 0 : points,
            status == ActivityStatus.Pending ? points : null, balance,
            Field(3) == "" ? balance : long.Parse(Field(3), CultureInfo.InvariantCulture),
            ActivityStore.TierName(program, Field(4) == "" ? 0 : int.Parse(Field(4), CultureInfo.InvariantCulture)), Field(5) == "1",
            ActivityStore.Badges(Field(6)),
            long.TryParse(Field(7), CultureInfo.InvariantCulture, out var retryAt) ? DateTimeOffset.FromUnixTimeMilliseconds(retryAt) : null);
    }

    /// <summary>Status letters: the first letter of each status an award can end in (award.lua).</summary>
    private static ActivityStatus StatusOf(char letter) => letter switch
    {
        'a' => ActivityStatus.Awarded,
        'p' => ActivityStatus.Pending,
        'r' => ActivityStatus.Rejected,
        _ => throw new FormatException($"Unknown status letter '{letter}' in an award record."),
    };

    private static ActivityResult ParseLegacy(string record, ProgramDefinition program)
    {
        var f = record.Split('|');
        var status = WireCode<ActivityStatus>.Parse(f[2]);
        return new ActivityResult(f[1], status, ActivityStore.ReasonOf(f[3]), long.Parse(f[4], CultureInfo.InvariantCulture),
            status == ActivityStatus.Pending ? long.Parse(f[5], CultureInfo.InvariantCulture) : null,
            long.Parse(f[6], CultureInfo.InvariantCulture), long.Parse(f[7], CultureInfo.InvariantCulture),
            ActivityStore.TierName(program, int.Parse(f[8], CultureInfo.InvariantCulture)), f[9] == "1", ActivityStore.Badges(f[10]),
            f.Length > 11 && long.TryParse(f[11], CultureInfo.InvariantCulture, out var retryAt) ? DateTimeOffset.FromUnixTimeMilliseconds(retryAt) : null);
    }
}
