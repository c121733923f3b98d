namespace Rewards.Api.Infrastructure.Redis;

/// <summary>
/// Every Redis key the API touches is named here. Keys of a program carry the hash tag <c>{programId}</c>
/// so that all of a program's keys live on one Redis Cluster slot and multi-key scripts stay legal.
/// Ids reaching this class are validated first (<see cref="Ids"/>), so they never contain ':' or braces.
/// </summary>
public static class RedisKeys
{
    private static string P(string programId) => $"rw:{{{programId}}}";

    public static RedisKey Program(string programId) => $"{P(programId)}:program";

    /// <summary>A KEYS/SCAN pattern matching every key of a program (tests and tools).</summary>
    public static string ProgramPattern(string programId) => $"{P(programId)}:*";

    /// <summary>Sorted set of every program id, by creation time (operator listing only; not hash-tagged).</summary>
    public static RedisKey ProgramIndex => "rw:programs";

    /// <summary>Hash: the last pass of the expiry job over every program (startedAt, finishedAt in unix ms, programs, lots, points); not hash-tagged.</summary>
    public static RedisKey LotExpiryPass => "rw:lots:expiry-pass";

    /// <summary>Set of the ids of a program's API clients.</summary>
    public static RedisKey ProgramClients(string programId) => $"{P(programId)}:clients";

    /// <summary>Set of the ids of a program's revoked API clients (a subset of <see cref="ProgramClients"/>: active = the difference).</summary>
    public static RedisKey ProgramRevokedClients(string programId) => $"{P(programId)}:clients:revoked";

    /// <summary>Hash: the operator's quota overrides of a program (quota name → value).</summary>
    public static RedisKey ProgramQuotas(string programId) => $"{P(programId)}:quotas";

    /// <summary>An API client record. Platform-level (looked up by client id alone at the token endpoint), so not hash-tagged.</summary>
    public static RedisKey Client(string clientId) => $"rw:client:{clientId}";

    /// <summary>
    /// Sorted set: the program's revocation log, "client:&lt;clientId&gt;" and "member:&lt;memberId&gt;" by the real time (unix ms)
    /// tokens issued up to then stopped being valid; every instance reads it into memory (RevocationList).
    /// </summary>
    public static RedisKey Revocations(string programId) => $"{P(programId)}:revocations";

    public static RedisKey Member(string programId, string memberId) => $"{P(programId)}:m:{memberId}";

    /// <summary>Sorted set of the program's member ids, by first-seen time.</summary>
    public static RedisKey MemberIndex(string programId) => $"{P(programId)}:members";

    /// <summary>Sorted set, score 0: the program's member ids, for prefix search (ZRANGEBYLEX); erased members leave it.</summary>
    public static RedisKey MemberIdIndex(string programId) => $"{P(programId)}:members:ids";

    /// <summary>
    /// Sorted set, score 0: "&lt;display name, ASCII letters lowercased&gt;\0&lt;member id&gt;" of every member with a display name,
    /// for prefix search; kept in step by upsert-member.lua, erased members leave it.
    /// </summary>
    public static RedisKey MemberNameIndex(string programId) => $"{P(programId)}:members:names";

    /// <summary>Sorted set: the moderation queue, pending activity ids by recordedAt (unix ms).</summary>
    public static RedisKey PendingActivities(string programId) => $"{P(programId)}:pending";

    /// <summary>
    /// List: the member's append-only ledger, one compact entry per points movement or decision, newest first; encoded by
    /// Scripts/ledger.lua, parsed by <c>LedgerEncoding</c> (Features/Members/MemberStore.cs).
    /// </summary>
    public static RedisKey Ledger(string programId, string memberId) => $"{P(programId)}:m:{memberId}:l";

    /// <summary>
    /// Stream: the member's ledger as programs wrote it before ledger lists; migrated into <see cref="Ledger"/> (keeping its
    /// entry ids) by ledger.lua on first use and by LedgerMigrationJob. Written by nothing any more.
    /// </summary>
    public static RedisKey LegacyLedger(string programId, string memberId) => $"{P(programId)}:m:{memberId}:ledger";

    /// <summary>Hash: the member's lots, expiry date 'yyyymmdd' → points left (Scripts/lots.lua); only under a pointsExpiry policy.</summary>
    public static RedisKey MemberLots(string programId, string memberId) => $"{P(programId)}:m:{memberId}:lots";

    /// <summary>Sorted set: member id → the member's earliest lot expiry date as a number (yyyymmdd), read by the expiry job.</summary>
    public static RedisKey LotsDue(string programId) => $"{P(programId)}:lots:due";

    /// <summary>
    /// String: the horizon date (yyyymmdd) of the program's last complete 'points.expiring' pass (LotStore.NoticeAsync), so the
    /// 15-minute job announces once per local day (or when the setting moves the horizon), not on every run.
    /// </summary>
    public static RedisKey LotsNotice(string programId) => $"{P(programId)}:lots:notice";

    /// <summary>
    /// String: an adjustment's idempotency record of the old layout (module idem: 'requestHash|answer', 48 h; hash of the bare
    /// key), and the adjustment's own string in the idempotency store (<see cref="IdempotencySlot.Own"/>: a record too long for
    /// its generation hash).
    /// </summary>
    public static RedisKey AdjustmentIdempotency(string programId, string idempotencyKeyHash) => $"{P(programId)}:idem:adj:{idempotencyKeyHash}";

    /// <summary>Counter: points (absolute) an API client adjusted in one local day (the daily cap of adjustments).</summary>
    public static RedisKey ClientAdjustments(string programId, string clientId, string dayId) => $"{P(programId)}:adj:{clientId}:{dayId}";

    /// <summary>Set of target ids the member already contributed to with an activity type (unique-per-target rules).</summary>
    public static RedisKey MemberTargets(string programId, string memberId, string activityType) =>
        $"{P(programId)}:m:{memberId}:targets:{activityType}";

    /// <summary>Counter of counted activities of a type in one local period (a day id or an ISO week id).</summary>
    public static RedisKey CapCounter(string programId, string memberId, string activityType, string periodId) =>
        $"{P(programId)}:m:{memberId}:cap:{activityType}:{periodId}";

    /// <summary>Prefix of member hashes, for read scripts that fetch display names of the entries they return (same slot).</summary>
    public static string MemberPrefix(string programId) => $"{P(programId)}:m:";

    /// <summary>A leaderboard: a board ('points' or an activity type) in one window period, or all-time when periodId is null.</summary>
    public static RedisKey Leaderboard(string programId, string board, string window, string? periodId) =>
        periodId is null ? $"{P(programId)}:lb:{board}:all" : $"{P(programId)}:lb:{board}:{window}:{periodId}";

    /// <summary>The program's commit sequence (a counter): board entries carry it, so that ties follow the commit order.</summary>
    public static RedisKey BoardSequence(string programId) => $"{P(programId)}:lb-seq";

    /// <summary>The immutable final top of a closed period (JSON).</summary>
    public static RedisKey LeaderboardArchive(string programId, string board, string periodId) =>
        $"{P(programId)}:lb-archive:{board}:{periodId}";

    /// <summary>Board entries of a suspended member, kept to restore them on reinstatement.</summary>
    public static RedisKey ParkedEntries(string programId, string memberId) => $"{P(programId)}:m:{memberId}:parked";

    /// <summary>Hash: perk id → the member's latest grant of it, "runId|state|code|grantedAt" (scripts append ':grants' to MemberPrefix + id).</summary>
    public static RedisKey MemberGrants(string programId, string memberId) => $"{P(programId)}:m:{memberId}:grants";

    /// <summary>Sorted set: perk ids granted to the member, by grant time (scripts append ':inbox' to MemberPrefix + id).</summary>
    public static RedisKey MemberInbox(string programId, string memberId) => $"{P(programId)}:m:{memberId}:inbox";

    /// <summary>Sorted set of the program's perk ids, by creation time.</summary>
    public static RedisKey PerkIndex(string programId) => $"{P(programId)}:perks";

    /// <summary>Hash: a perk's definition (JSON), status and figures.</summary>
    public static RedisKey Perk(string programId, string perkId) => $"{P(programId)}:perk:{perkId}";

    /// <summary>List: an offer's unclaimed codes.</summary>
    public static RedisKey PerkCodes(string programId, string perkId) => $"{P(programId)}:perk:{perkId}:codes";

    /// <summary>Set: the SHA-1 of every code an offer's pool ever held, claimed ones included (codes are unique in a pool; a claimed code itself stays only in its grant).</summary>
    public static RedisKey PerkCodeSet(string programId, string perkId) => $"{P(programId)}:perk:{perkId}:codeset";

    /// <summary>Sorted set: the members who claimed an offer's code, by claim time (unix ms); their code is in their grant.</summary>
    public static RedisKey PerkClaims(string programId, string perkId) => $"{P(programId)}:perk:{perkId}:claims";

    /// <summary>Set: the ids of a perk's grant runs (to delete their records with the perk).</summary>
    public static RedisKey PerkRuns(string programId, string perkId) => $"{P(programId)}:perk:{perkId}:runs";

    /// <summary>News perks by publicAt and by earlyAt (unix ms), so that news reads touch visible items only.</summary>
    public static RedisKey NewsByPublicAt(string programId) => $"{P(programId)}:news:public";

    public static RedisKey NewsByEarlyAt(string programId) => $"{P(programId)}:news:early";

    /// <summary>Prefix of a program's perk keys (scripts append the perk id and a suffix).</summary>
    public static string PerkPrefix(string programId) => $"{P(programId)}:perk:";

    /// <summary>An event's accepted (sorted set), waitlisted (sorted set) and declined (set) members.</summary>
    public static RedisKey PerkAccepted(string programId, string perkId) => $"{P(programId)}:perk:{perkId}:accepted";

    public static RedisKey PerkWaitlist(string programId, string perkId) => $"{P(programId)}:perk:{perkId}:waitlist";

    public static RedisKey PerkDeclined(string programId, string perkId) => $"{P(programId)}:perk:{perkId}:declined";

    /// <summary>A grant run (hash: status, total, cursor, granted, times) and its audience snapshot (list of member ids).</summary>
    public static RedisKey PerkRun(string programId, string perkId, string runId) => $"{P(programId)}:perk:{perkId}:run:{runId}";

    public static RedisKey PerkRunAudience(string programId, string perkId, string runId) => $"{P(programId)}:perk:{perkId}:run:{runId}:audience";

    /// <summary>KPI counters of a local day (hash) and its active members (HyperLogLog).</summary>
    public static RedisKey Stats(string programId, string dayId) => $"{P(programId)}:stats:{dayId}";

    public static RedisKey StatsActiveMembers(string programId, string dayId) => $"{P(programId)}:stats:{dayId}:active";

    /// <summary>Awarded points per member in a local day (plain scores, summed over a rolling window for ambassadors).</summary>
    public static RedisKey AmbassadorDay(string programId, string dayId) => $"{P(programId)}:amb:{dayId}";

    /// <summary>A member's activities in one minute (velocity rule).</summary>
    public static RedisKey Velocity(string programId, string memberId, long unixMinute) => $"{P(programId)}:m:{memberId}:vel:{unixMinute}";

    /// <summary>Set of members flagged for review.</summary>
    public static RedisKey FlaggedMembers(string programId) => $"{P(programId)}:flagged";

    /// <summary>Marks a member as referred (one referral award per referred member).</summary>
    public static RedisKey Referral(string programId, string referredMemberId) => $"{P(programId)}:referred:{referredMemberId}";

    public static RedisKey Activity(string programId, string activityId) => $"{P(programId)}:activity:{activityId}";

    /// <summary>
    /// Stream: the program's events (a transactional outbox, written by the scripts through events.lua in the run that makes
    /// the change). Fields: type, member, seq, at, data (see docs/events.md); the stream id is the event id.
    /// </summary>
    public static RedisKey Events(string programId) => $"{P(programId)}:events";

    /// <summary>Hash: erased member id → the id of their member.erased event, until EventMaintenanceJob.ScrubAsync has deleted their earlier events.</summary>
    public static RedisKey EventScrubs(string programId) => $"{P(programId)}:events:scrub";

    /// <summary>
    /// String: one idempotency key's own record: the old layout's (one string per key, until legacyIdempotencyUntil), or a
    /// record too long for its generation hash (see <see cref="IdempotencyGeneration"/>). The client's key is hashed so any
    /// printable key is safe.
    /// </summary>
    public static RedisKey Idempotency(string programId, string idempotencyKeyHash) =>
        $"{P(programId)}:idem:{idempotencyKeyHash}";

    /// <summary>
    /// Hash: the idempotency records of one generation (a window as long as the retention) and one shard (bits of the key
    /// hash), field = key hash bytes (Scripts/idempotency.lua, IdempotencySlot, docs/storage.md).
    /// </summary>
    public static RedisKey IdempotencyGeneration(string programId, long generation, int shard) =>
        $"{P(programId)}:idem:{generation}:{shard:x3}";

    /// <summary>Sorted set of the program's catalogue reward ids, by creation time (deleted rewards leave it).</summary>
    public static RedisKey Rewards(string programId) => $"{P(programId)}:rewards";

    /// <summary>Hash: a reward's definition (JSON), the fields redeem.lua decides by (kind, cost, stock left, limit, window, audience, active) and its figures.</summary>
    public static RedisKey Reward(string programId, string rewardId) => $"{P(programId)}:reward:{rewardId}";

    /// <summary>Prefix of reward keys (scripts append the reward id).</summary>
    public static string RewardPrefix(string programId) => $"{P(programId)}:reward:";

    /// <summary>List: a code reward's codes not handed out yet (RewardPrefix + id + ':codes').</summary>
    public static RedisKey RewardCodes(string programId, string rewardId) => $"{P(programId)}:reward:{rewardId}:codes";

    /// <summary>Set: the SHA-1 of every code or voucher a reward ever held or issued (never handed out twice).</summary>
    public static RedisKey RewardCodeSet(string programId, string rewardId) => $"{P(programId)}:reward:{rewardId}:codeset";

    /// <summary>Hash: one redemption (member, reward, quantity, points, state, codes, lots taken, times).</summary>
    public static RedisKey Redemption(string programId, string redemptionId) => $"{P(programId)}:rd:{redemptionId}";

    /// <summary>Prefix of redemption keys (scripts append the redemption id).</summary>
    public static string RedemptionPrefix(string programId) => $"{P(programId)}:rd:";

    /// <summary>Sorted set: the member's redemption ids by creation time (unix ms).</summary>
    public static RedisKey MemberRedemptions(string programId, string memberId) => $"{P(programId)}:m:{memberId}:redemptions";

    /// <summary>Sorted set: the program's redemption ids by creation time (unix ms).</summary>
    public static RedisKey ProgramRedemptions(string programId) => $"{P(programId)}:redemptions";

    /// <summary>Sorted set: reserved redemption ids by hold expiry (unix ms), swept by HoldExpiryJob and by every redemption.</summary>
    public static RedisKey RedemptionHolds(string programId) => $"{P(programId)}:holds";
    /// <summary>Set of the programs that have at least one webhook endpoint: the ones the dispatchers poll (not hash-tagged).</summary>
    public static RedisKey WebhookPrograms => "rw:webhooks:programs";

    /// <summary>Sorted set of the program's webhook endpoint ids, by creation time.</summary>
    public static RedisKey WebhookIndex(string programId) => $"{P(programId)}:webhooks";

    /// <summary>Set of the program's enabled webhook endpoint ids (the ones events fan out to).</summary>
    public static RedisKey WebhooksEnabled(string programId) => $"{P(programId)}:webhooks:enabled";

    /// <summary>Hash: a webhook endpoint (url, event types, enabled, secrets, failure state).</summary>
    public static RedisKey Webhook(string programId, string endpointId) => $"{P(programId)}:webhook:{endpointId}";

    /// <summary>Prefix of a program's webhook endpoint keys (scripts append the endpoint id and a suffix).</summary>
    public static string WebhookPrefix(string programId) => $"{P(programId)}:webhook:";

    /// <summary>Stream: an endpoint's delivery log, one entry per attempt, bounded in length.</summary>
    public static RedisKey WebhookLog(string programId, string endpointId) => $"{P(programId)}:webhook:{endpointId}:log";

    /// <summary>Sorted set: event ids whose delivery to the endpoint failed for good (or was dropped while it was disabled), by that time.</summary>
    public static RedisKey WebhookFailed(string programId, string endpointId) => $"{P(programId)}:webhook:{endpointId}:failed";

    /// <summary>Sorted set: delivery tasks "endpointId|eventId|kind" by due time (unix ms); a claimed task's score is its lease's end.</summary>
    public static RedisKey WebhookTasks(string programId) => $"{P(programId)}:webhook-tasks";

    /// <summary>Hash: delivery task → "attempts|lease token" (attempts made so far; the token of the lease holding it, '' when none).</summary>
    public static RedisKey WebhookTaskState(string programId) => $"{P(programId)}:webhook-tasks:state";

    // People (console users) are platform-level: each person's keys share the hash tag {personId} (one slot per person, so a
    // session check or a sign-in is one script run); person ids are generated ("pe_" + 24 hex), never ':' or braces.

    /// <summary>Hash: a console person (email, name, status, passwordHash, operator flag, pending invitation's hash and expiry).</summary>
    public static RedisKey Person(string personId) => $"rw:person:{{{personId}}}";

    /// <summary>Hash: the person's roles, program id → "role" or "role:disabled".</summary>
    public static RedisKey PersonRoles(string personId) => $"rw:person:{{{personId}}}:roles";

    /// <summary>Sorted set: the SHA-256 of each of the person's session ids, by absolute expiry (unix ms).</summary>
    public static RedisKey PersonSessions(string personId) => $"rw:person:{{{personId}}}:sessions";

    /// <summary>Prefix of the person's session keys (scripts append the session id's hash).</summary>
    public static string PersonSessionPrefix(string personId) => $"rw:person:{{{personId}}}:session:";

    /// <summary>Hash: one session (createdAt, expiresAt); its TTL is the inactivity timeout, renewed by each request.</summary>
    public static RedisKey PersonSession(string personId, string sessionHash) => PersonSessionPrefix(personId) + sessionHash;

    /// <summary>Counter of the person's recent failed sign-ins (expires with the lockout window).</summary>
    public static RedisKey PersonSignInFailures(string personId) => $"rw:person:{{{personId}}}:failures";

    /// <summary>Hash: normalized e-mail address → person id.</summary>
    public static RedisKey PeopleByEmail => "rw:people:emails";

    /// <summary>Sorted set of every person id, by creation time (operator listing).</summary>
    public static RedisKey PeopleIndex => "rw:people";

    /// <summary>Sorted set: the people holding a role in the program, by the time they got it.</summary>
    public static RedisKey ProgramPeople(string programId) => $"{P(programId)}:people";

    /// <summary>List: the program's audit log (JSON entries, newest first, capped).</summary>
    public static RedisKey ProgramAudit(string programId) => $"{P(programId)}:audit";

    /// <summary>List: the operator's audit log (every people event, newest first, capped).</summary>
    public static RedisKey OperatorAudit => "rw:audit";
}
