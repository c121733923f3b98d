using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Members;

/// <summary>The keys and arguments of upsert-member.lua ('' for a display name or locale removes it).</summary>
[LuaScript("upsert-member")]
public sealed record UpsertMemberScript(
    RedisKey MemberKey, RedisKey MemberIndex, RedisKey MemberIds, RedisKey MemberNames, RedisKey TodayStats,
    string MemberId, long Now, string DisplayName, string Locale, long KpiTtl) : IScriptArgs;

/// <summary>
/// The keys and arguments of member-list.lua (read only): the source index (MemberIndex for 'seen', MemberIdIndex for 'id',
/// MemberNameIndex for 'name'), the prefix, the filters ('' = any), the page, and the display-name filter (with 'id').
/// </summary>
[LuaScript("member-list")]
public sealed record MemberListScript(
    RedisKey Source,
    string Mode, string Prefix, string MemberPrefix, string Status, string Tier, string Flagged, long Offset, long Limit, long MaxScan,
    string NameFilter) : IScriptArgs;

/// <summary>
/// The keys and arguments of member-status.lua: the prefixes erasure builds keys from (RedisKeys.MemberPrefix, and
/// RedisKeys.Activity / Referral with an empty id), then every board the member may be on, each with what it is
/// (BoardKinds[i] describes Boards[i]: 'all:&lt;board&gt;' or, for a window period, the member's period field
/// 'e:&lt;board&gt;:&lt;periodId&gt;'). Suspension and erasure add the member to the program's revocation log (Revocations) at
/// RevokedAt, real time in unix ms (tokens' iat is real time).
/// </summary>
[LuaScript("member-status")]
public sealed record MemberStatusScript(
    RedisKey MemberKey, RedisKey Parked, RedisKey Index, RedisKey FlaggedKey, RedisKey Revocations, RedisKey Pending, RedisKey MemberIds,
    RedisKey MemberNames, RedisKey EventStream, RedisKey EventScrubs,
    string Action, string MemberId, long Now, string MemberPrefix, string ActivityPrefix, string ReferralPrefix, long RevokedAt,
    string PerkPrefix, long EventsMaxLength,
    RedisKey[] Boards, RedisValue[] BoardKinds) : IScriptArgs;
