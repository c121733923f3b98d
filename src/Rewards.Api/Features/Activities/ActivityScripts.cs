using System.Globalization;
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
    RedisKey Program, RedisKey Idempotency, RedisKey Member, RedisKey Ledger, RedisKey Activity, RedisKey DayCap, RedisKey WeekCap,
    RedisKey Targets, RedisKey MemberIndex, RedisKey MemberIds,
    long Version, string RequestHash, string ActivityId, string MemberId, string ActivityType, string Target, long OccurredAt,
    long Now, long Points, long DailyCap, long WeeklyCap, bool UniquePerTarget, long Cooldown, bool RequiresApproval,
    long IdempotencyTtl, long DayCapTtl, long WeekCapTtl, string Day, string Week, string Month,
    BoardWrites Boards,
    RedisKey Stats, RedisKey ActiveMembers, RedisKey Velocity, RedisKey AmbassadorDay, RedisKey Flagged, RedisKey Referral,
    RedisKey Pending, string Tiers, string Badges, long DayNumber, long VelocityMax, long KpiTtl, bool IsReferral,
    RedisKey Lots, RedisKey LotsDue, string Lot) : IScriptArgs;

/// <summary>The keys and arguments of moderate.lua (which names the same list, in order).</summary>
[LuaScript("moderate")]
public sealed record ModerateScript(
    RedisKey Activity, RedisKey Member, RedisKey Ledger, RedisKey DayCap, RedisKey WeekCap, RedisKey Targets,
    string Action, string ActivityId, string MemberId, long Now, string Reason,
    BoardWrites Boards,
    RedisKey ActivityDayStats, RedisKey TodayStats, RedisKey AmbassadorDay, RedisKey Referral, RedisKey Pending,
    string Tiers, string Badges, long DayNumber, long KpiTtl, RedisKey Lots, RedisKey LotsDue, string Lot) : IScriptArgs;

/// <summary>
/// The award's answer as award.lua stores it under the idempotency key and returns it, one string:
/// requestHash|activityId|status|reason|points|pendingPoints|balance|lifetime|tier|tierChanged|newBadges|retryAt
/// (retryAt in Unix ms for a cooldown refusal, else empty; absent from records stored before it existed).
/// Read here only.
/// </summary>
public static class AwardRecord
{
    /// <summary>The answer the record holds; null when it was stored for another request (another request hash).</summary>
    public static ActivityResult? Parse(string record, string requestHash, ProgramDefinition program)
    {
        if (!record.StartsWith(requestHash + "|", StringComparison.Ordinal))
        {
            return null;
        }
        var f = record.Split('|');
        var status = WireCode<ActivityStatus>.Parse(f[2]);
        return new ActivityResult(f[1], status, ActivityStore.ReasonOf(f[3]), long.Parse(f[4], CultureInfo.InvariantCulture),
            status == ActivityStatus.Pending ? long.Parse(f[5], CultureInfo.InvariantCulture) : null,
            long.Parse(f[6], CultureInfo.InvariantCulture), long.Parse(f[7], CultureInfo.InvariantCulture),
            ActivityStore.TierName(program, int.Parse(f[8], CultureInfo.InvariantCulture)), f[9] == "1", ActivityStore.Badges(f[10]),
            f.Length > 11 && long.TryParse(f[11], CultureInfo.InvariantCulture, out var retryAt) ? DateTimeOffset.FromUnixTimeMilliseconds(retryAt) : null);
    }
}
