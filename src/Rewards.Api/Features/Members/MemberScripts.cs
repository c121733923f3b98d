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
    RedisKey MemberNames, RedisKey EventStream, RedisKey EventScrubs, RedisKey ProgramRedemptions, RedisKey LotsDue,
    string Action, string MemberId, long Now, string MemberPrefix, string ActivityPrefix, string ReferralPrefix, long RevokedAt,
    string PerkPrefix, long EventsMaxLength, string RedemptionPrefix,
    RedisKey[] Boards, RedisValue[] BoardKinds) : IScriptArgs;

/// <summary>
/// The keys and arguments of ledger-read.lua: one page of a member's ledger with the member's status. Mode: '' (the newest
/// page), 'o' (Cursor: an ordinal) or 's' (Cursor: a former stream id, '&lt;ms&gt;-&lt;seq&gt;').
/// </summary>
[LuaScript("ledger-read")]
public sealed record LedgerReadScript(RedisKey MemberKey, RedisKey LedgerKey, string Mode, string Cursor, long Limit) : IScriptArgs;

/// <summary>The keys and arguments of ledger-since.lua: several members' ledger entries from a moment (unix ms) on, newest first.</summary>
[LuaScript("ledger-since")]
public sealed record LedgerSinceScript(long Since, long Chunk, RedisKey[] Ledgers) : IScriptArgs;

/// <summary>
/// The keys and arguments of ledger-migrate.lua: one SCAN step of a program's migration (LedgerMigrationJob). Phase
/// 'ledgers' or 'activities'; the prefixes are RedisKeys.MemberPrefix and RedisKeys.Activity with an empty id; RetentionMs:
/// the activity detail retention; Now: real time, unix ms.
/// </summary>
[LuaScript("ledger-migrate")]
public sealed record LedgerMigrateScript(
    RedisKey ProgramKey, string Phase, string Cursor, long Count, string MemberPrefix, string ActivityPrefix, long RetentionMs, long Now) : IScriptArgs;
