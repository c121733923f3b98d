using System.Globalization;
using Microsoft.Extensions.Options;
using Rewards.Api.Features.Events;
using Rewards.Api.Features.Insights;
using Rewards.Api.Features.Activities;
using Rewards.Api.Features.Leaderboards;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Members;

public sealed record MemberProfile(
    string MemberId, string? DisplayName, string? Locale, MemberStatus Status, long Balance, long LifetimePoints, DateTimeOffset CreatedAt,
    MemberProgress? Progress = null, bool Flagged = false, BalanceSplit? BalanceSplit = null);

/// <summary>
/// The balance split (docs/points-expiry.md): <c>Available</c> = the balance, spendable now (negative after a clawback larger than
/// what was left: redemptions are refused until it is earned back); <c>Held</c> = points held by reserved redemptions (out of the
/// balance until confirmed or released); <c>ExpiringWithin30Days</c> = points of the available ones whose lots expire within 30
/// days; <c>NextExpiry</c>: the member's soonest lot, whenever it expires (all of them: GET .../expiring).
/// </summary>
public sealed record BalanceSplit(long Available, long Held, long ExpiringWithin30Days, Lots.UpcomingExpiry? NextExpiry);

/// <summary>Where the member stands: tier and the next one, badges earned and progress toward the others, streaks.</summary>
public sealed record MemberProgress(string? Tier, string? NextTier, long? PointsToNextTier, IReadOnlyList<EarnedBadge> Badges,
    IReadOnlyList<BadgeProgress> BadgesInProgress, int CurrentStreak, int BestStreak);

public sealed record EarnedBadge(string Id, string Name);

public sealed record BadgeProgress(string Id, string Name, long Current, long Target);

/// <summary>
/// One ledger entry, explained. <c>Points</c> is the change to the balance (0 for pending and rejected activities).
/// <c>Lots</c>: what a debit took from the member's lots (expiry dates and points, earliest first; see docs/points-expiry.md);
/// <c>ClientId</c>: the API client that made an adjustment.
/// </summary>
public sealed record LedgerEntry(
    string Id, LedgerKind Kind, string ActivityId, string Type, string? TargetId, long Points, long? PendingPoints,
    long Balance, DateTimeOffset At, string? Reason, string Description, IReadOnlyList<LotAmount>? Lots = null, string? ClientId = null);

/// <summary>Points of one lot: the last local day they can be spent (they expire at the next local midnight) and how many.</summary>
public sealed record LotAmount(DateOnly ExpiresOn, long Points);

public sealed record LedgerPage(IReadOnlyList<LedgerEntry> Entries, string? NextCursor);

/// <summary>
/// Where a ledger page starts: the id of the last entry of the previous page. Entries have two forms of id: 'e' and the
/// entry's ordinal (1 = the member's oldest entry; the ledger is never trimmed, so an ordinal never changes), and, for the
/// entries written before ledgers were lists, their former stream id '&lt;ms&gt;-&lt;seq&gt;' (two unsigned 64-bit numbers), kept
/// by the migration, so that cursors handed out before it keep working. Redis refuses stream ids out of that range, so
/// they are settled here.
/// </summary>
public readonly record struct LedgerCursor(bool IsOrdinal, string Value)
{
    public static bool TryParse(string text, out LedgerCursor cursor)
    {
        cursor = default;
        if (text.Length > 1 && text[0] == 'e')
        {
            if (!long.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal))
            {
                return false;
            }
            cursor = new LedgerCursor(true, ordinal.ToString(CultureInfo.InvariantCulture));
            return true;
        }
        var dash = text.IndexOf('-');
        if (dash < 0
            || !ulong.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || !ulong.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            return false;
        }
        cursor = new LedgerCursor(false, $"{ms}-{seq}");
        return true;
    }

    /// <summary>The id of an entry at an ordinal (entries without a former stream id).</summary>
    public static string OrdinalId(long ordinal) => LedgerEncoding.OrdinalId(ordinal);

    public override string ToString() => IsOrdinal ? "e" + Value : Value;
}

public enum StatusChangeOutcome { Done, NotFound, Conflict }

public sealed class MemberStore(IConnectionMultiplexer redis, RewardsScripts scripts, TimeProvider clock, IOptions<InsightsOptions> insights,
    IOptions<EventsOptions> events)
{
    private static readonly RedisValue[] ProfileFields =
        [MemberFields.DisplayName, MemberFields.Locale, MemberFields.Status, MemberFields.Balance, MemberFields.Lifetime, MemberFields.CreatedAt, MemberFields.Flagged];

    /// <summary>
    /// Creates or updates the profile; null when the member was erased (erased ids are not reused). A new member counts in
    /// today's newMembers KPI (the program's local day).
    /// </summary>
    public async Task<(MemberProfile Profile, bool Created)?> UpsertAsync(ProgramSnapshot program, string memberId, string? displayName, string? locale)
    {
        var programId = program.Id;
        var now = clock.GetUtcNow();
        var result = (RedisResult[])(await scripts.UpsertMember.RunAsync(redis.GetDatabase(), ScriptArgs<UpsertMemberScript>.Build(new(
            RedisKeys.Member(programId, memberId), RedisKeys.MemberIndex(programId), RedisKeys.MemberIdIndex(programId),
            RedisKeys.MemberNameIndex(programId), RedisKeys.Stats(programId, ProgramTime.PeriodsOf(now, program.Zone).Day),
            memberId, ProgramTime.ToUnixMs(now), displayName ?? "", locale ?? "", insights.Value.RetentionSeconds))))!;
        if ((int)result[0] < 0)
        {
            return null;
        }
        var profile = new MemberProfile(memberId, displayName, locale, WireCode<MemberStatus>.Parse((string)result[1]!), (long)result[2], (long)result[3],
            ProgramTime.FromUnixMs((long)result[4]));
        return (profile, (int)result[0] == 1);
    }

    public async Task<MemberProfile?> FindAsync(string programId, string memberId)
    {
        var f = await redis.GetDatabase().HashGetAsync(RedisKeys.Member(programId, memberId), ProfileFields);
        return f[2].IsNull || WireCode<MemberStatus>.Parse(f[2]!) == MemberStatus.Erased
            ? null
            : new MemberProfile(memberId, (string?)f[0], (string?)f[1], WireCode<MemberStatus>.Parse(f[2]!), (long)f[3], (long)f[4], ProgramTime.FromUnixMs((long)f[5]),
                Flagged: !f[6].IsNull);
    }

    /// <summary>The profile with tier, badges and streaks, read in one round trip (the whole member hash).</summary>
    public async Task<MemberProfile?> FindWithProgressAsync(ProgramSnapshot program, string memberId)
    {
        var db = redis.GetDatabase();
        var lotEntries = db.HashGetAllAsync(RedisKeys.MemberLots(program.Id, memberId));
        var entries = await db.HashGetAllAsync(RedisKeys.Member(program.Id, memberId));
        var upcoming = Lots.LotStore.ToUpcoming(await lotEntries, program.Zone);
        var f = entries.ToDictionary(e => e.Name.ToString(), e => e.Value);
        if (!f.TryGetValue(MemberFields.Status, out var stored) || WireCode<MemberStatus>.Parse(stored!) == MemberStatus.Erased)
        {
            return null;
        }
        var status = WireCode<MemberStatus>.Parse(stored!);
        long Number(string field) => f.TryGetValue(field, out var v) && v.TryParse(out long n) ? n : 0;
        var lifetime = Number(MemberFields.Lifetime);
        var definition = program.Definition;
        var tier = definition.TierOf(lifetime);
        var next = (definition.Tiers ?? []).FirstOrDefault(t => t.MinLifetimePoints > lifetime);
        var earned = ((string?)f.GetValueOrDefault(MemberFields.Badges) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var badges = definition.Badges ?? [];
        var streakDay = f.ContainsKey(MemberFields.StreakDay) ? Number(MemberFields.StreakDay) : long.MinValue;
        var today = Activities.ActivityStore.DayNumber(ProgramTime.LocalDate(clock.GetUtcNow(), program.Zone));
        // A streak is current while its last day is today or yesterday (today may still come).
        var current = today - streakDay <= 1 ? (int)Number(MemberFields.Streak) : 0;
        var progress = new MemberProgress(tier?.Name, next?.Name, next is null ? null : next.MinLifetimePoints - lifetime,
            [.. badges.Where(b => earned.Contains(b.Id)).Select(b => new EarnedBadge(b.Id, b.Name))],
            [.. badges.Where(b => !earned.Contains(b.Id)).Select(b => b.When switch
            {
                { ActivityType: { } type, Count: { } count } => new BadgeProgress(b.Id, b.Name, Math.Min(Number(MemberFields.TypeCountOf(type)), count), count),
                { LifetimePoints: { } points } => new BadgeProgress(b.Id, b.Name, Math.Min(lifetime, points), points),
                _ => new BadgeProgress(b.Id, b.Name, Math.Min(current, b.When.StreakDays ?? 0), b.When.StreakDays ?? 0),
            })],
            current, (int)Number(MemberFields.BestStreak));
        return new MemberProfile(memberId, (string?)f.GetValueOrDefault(MemberFields.DisplayName), (string?)f.GetValueOrDefault(MemberFields.Locale),
            status, Number(MemberFields.Balance), lifetime, ProgramTime.FromUnixMs(Number(MemberFields.CreatedAt)), progress,
            f.ContainsKey(MemberFields.Flagged), Split(Number(MemberFields.Balance), Number(MemberFields.Held), upcoming, clock.GetUtcNow()));
    }

    /// <summary>The balance split: what expires within 30 days of <paramref name="now"/> (lots expire at a local midnight).</summary>
    public static BalanceSplit Split(long balance, long held, IReadOnlyList<Lots.UpcomingExpiry> lots, DateTimeOffset now)
    {
        var soon = lots.Where(l => l.ExpiresAt <= now.AddDays(30)).ToList();
        return new BalanceSplit(balance, held, soon.Sum(l => l.Points), lots.Count > 0 ? lots[0] : null);
    }

    /// <summary>Candidates one filtered page of the member list reads at most (one HMGET each, in one script run).</summary>
    public const int MaxScanPerPage = 1000;

    /// <summary>
    /// One page of the member list (see member-list.lua): the ids in one script run, their profiles in one pipelined round
    /// trip. Erased members are in no index, so never listed.
    /// </summary>
    public async Task<(IReadOnlyList<MemberProfile> Members, long Total, long? NextOffset)> ListAsync(
        string programId, MemberListQuery query, int offset, int limit)
    {
        var db = redis.GetDatabase();
        var (mode, source, prefix) = query switch
        {
            { IdPrefix: { } p } => ("id", RedisKeys.MemberIdIndex(programId), p),
            { NamePrefix: { } p } => ("name", RedisKeys.MemberNameIndex(programId), AsciiLower(p)),
            _ => ("seen", RedisKeys.MemberIndex(programId), ""),
        };
        var r = (RedisResult[])(await scripts.ListMembers.RunAsync(db, ScriptArgs<MemberListScript>.Build(new(
            source, mode, prefix, RedisKeys.MemberPrefix(programId), query.Status?.ToWire() ?? "",
            query.Tier?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", query.Flagged switch { true => "1", false => "0", null => "" },
            offset, limit, MaxScanPerPage, query.IdPrefix is not null && query.NamePrefix is not null ? AsciiLower(query.NamePrefix) : ""))))!;
        var profiles = await Task.WhenAll(r.Skip(2).Select(id => FindAsync(programId, (string)id!)));
        var next = (long)r[1];
        return ([.. profiles.OfType<MemberProfile>()], (long)r[0], next < 0 ? null : next);
    }

    /// <summary>ASCII letters lowercased, as Lua's string.lower does (the display-name index is folded by member.lua).</summary>
    public static string AsciiLower(string value) =>
        string.Create(value.Length, value, (span, v) =>
        {
            for (var i = 0; i < v.Length; i++)
            {
                span[i] = v[i] is >= 'A' and <= 'Z' ? (char)(v[i] + 32) : v[i];
            }
        });

    /// <summary>One page of the flagged members (velocity) by member id, with their profiles, and how many are flagged.</summary>
    public async Task<(IReadOnlyList<MemberProfile> Members, long Total)> FlaggedAsync(string programId, int offset, int limit)
    {
        var db = redis.GetDatabase();
        var total = db.SetLengthAsync(RedisKeys.FlaggedMembers(programId));
        var ids = await db.SortAsync(RedisKeys.FlaggedMembers(programId), offset, limit, sortType: SortType.Alphabetic);
        var profiles = await Task.WhenAll(ids.Select(id => FindAsync(programId, id.ToString())));
        return ([.. profiles.OfType<MemberProfile>()], await total);
    }

    /// <summary>
    /// Every board the member can be on: 'points', each activity type of the program's rules and each type the member earned
    /// points for under earlier rules (their 't:' totals).
    /// </summary>
    public async Task<IReadOnlyList<string>> BoardsOfAsync(ProgramSnapshot program, string memberId)
    {
        var fields = await redis.GetDatabase().HashKeysAsync(RedisKeys.Member(program.Id, memberId));
        return [.. BoardsOf(program, fields)];
    }

    private static IEnumerable<string> BoardsOf(ProgramSnapshot program, RedisValue[] memberFields) =>
        memberFields.Select(f => f.ToString()).Where(f => f.StartsWith(MemberFields.TypePoints, StringComparison.Ordinal))
            .Select(f => f[MemberFields.TypePoints.Length..])
            .Concat(program.Definition.Boards(program.LoadedAt, program.Zone)).Distinct(StringComparer.Ordinal);

    /// <summary>When the velocity rule flagged the member (null when not flagged).</summary>
    public async Task<DateTimeOffset?> FlaggedAtAsync(string programId, string memberId) =>
        await redis.GetDatabase().HashGetAsync(RedisKeys.Member(programId, memberId), MemberFields.Flagged) is { IsNull: false } v && v.TryParse(out long ms)
            ? ProgramTime.FromUnixMs(ms)
            : null;

    /// <summary>Clears the flag after review; false when the member does not exist.</summary>
    public async Task<bool> UnflagAsync(string programId, string memberId)
    {
        var db = redis.GetDatabase();
        if (await FindAsync(programId, memberId) is null)
        {
            return false;
        }
        await Task.WhenAll(db.HashDeleteAsync(RedisKeys.Member(programId, memberId), MemberFields.Flagged), db.SetRemoveAsync(RedisKeys.FlaggedMembers(programId), memberId));
        return true;
    }

    /// <summary>
    /// Suspends, reinstates or erases the member, taking them off (or back onto) every board and window period an activity
    /// can have reached: 'points', each activity type of the program's rules (an award of any of them may land while this
    /// runs) and each type the member earned points for under earlier rules; the retained periods and the next one (an
    /// activity may be dated up to 5 minutes ahead, past a local midnight).
    /// </summary>
    public async Task<(StatusChangeOutcome Outcome, string? Status)> ChangeStatusAsync(ProgramSnapshot program, string memberId, StatusChange change)
    {
        var db = redis.GetDatabase();
        var fields = await db.HashKeysAsync(RedisKeys.Member(program.Id, memberId));
        var boards = BoardsOf(program, fields);
        var now = clock.GetUtcNow();
        var keys = new List<RedisKey>();
        var args = new List<RedisValue>();
        foreach (var board in boards)
        {
            keys.Add(RedisKeys.Leaderboard(program.Id, board, "all", null));
            args.Add($"all:{board}");
            foreach (var kind in LeaderboardWindow.Periodic)
            {
                var current = LeaderboardWindow.Current(kind, now, program.Zone);
                var period = LeaderboardWindow.Current(kind, now + ActivityLimits.MaxFutureSkew, program.Zone);
                var count = program.Definition.LeaderboardRetention + (period.PeriodId == current.PeriodId ? 1 : 2);
                for (var i = 0; i < count; i++, period = period.Previous(program.Zone))
                {
                    keys.Add(RedisKeys.Leaderboard(program.Id, board, LeaderboardWindow.Name(kind), period.PeriodId));
                    args.Add(MemberFields.BoardPeriodOf(board, period.PeriodId!));
                }
            }
        }
        // Suspension and erasure revoke the member's tokens at the real time, as tokens' iat is (see RevocationList).
        // The prefixes are erasure's (erasure.lua): the keys it builds from them carry the program's tag, like the keys above.
        var r = (RedisResult[])(await scripts.MemberStatus.RunAsync(db, ScriptArgs<MemberStatusScript>.Build(new(
            RedisKeys.Member(program.Id, memberId), RedisKeys.ParkedEntries(program.Id, memberId), RedisKeys.MemberIndex(program.Id),
            RedisKeys.FlaggedMembers(program.Id), RedisKeys.Revocations(program.Id), RedisKeys.PendingActivities(program.Id),
            RedisKeys.MemberIdIndex(program.Id), RedisKeys.MemberNameIndex(program.Id), RedisKeys.Events(program.Id),
            RedisKeys.EventScrubs(program.Id), RedisKeys.ProgramRedemptions(program.Id), RedisKeys.LotsDue(program.Id),
            change.ToWire(), memberId, ProgramTime.ToUnixMs(now), RedisKeys.MemberPrefix(program.Id),
            RedisKeys.Activity(program.Id, "").ToString(), RedisKeys.Referral(program.Id, "").ToString(),
            ProgramTime.ToUnixMs(TimeProvider.System.GetUtcNow()), RedisKeys.PerkPrefix(program.Id), events.Value.ScriptMaxLength,
            RedisKeys.RedemptionPrefix(program.Id), [.. keys], [.. args]))))!;
        return (string)r[0]! switch
        {
            "missing" => (StatusChangeOutcome.NotFound, null),
            "conflict" => (StatusChangeOutcome.Conflict, (string)r[1]!),
            _ => (StatusChangeOutcome.Done, (string)r[1]!),
        };
    }

    /// <summary>
    /// A page of the ledger, newest first; null when the member does not exist. One round trip (ledger-read.lua: the member's
    /// status and the page; a ledger still kept as a stream is migrated on the way). Tier and badge entries are explained with
    /// the program's current tier and badge names.
    /// </summary>
    public async Task<LedgerPage?> LedgerAsync(ProgramSnapshot program, string memberId, int limit, LedgerCursor? cursor)
    {
        var programId = program.Id;
        var r = (RedisResult[])(await scripts.ReadLedger.RunAsync(redis.GetDatabase(), ScriptArgs<LedgerReadScript>.Build(new(
            RedisKeys.Member(programId, memberId), RedisKeys.Ledger(programId, memberId),
            cursor switch { null => "", { IsOrdinal: true } => "o", _ => "s" }, cursor?.Value ?? "", limit))))!;
        // An erased member's ledger stays (scrubbed) for accounting, but the member's routes no longer answer.
        if (r[0].IsNull || (string)r[0]! == MemberStatus.Erased.ToWire())
        {
            return null;
        }
        var start = (long)r[2];
        // The page reads one more than it returns: whether there is a next page.
        var items = r.Skip(3).Take(limit).Select((e, i) => ToEntry((string)e!, start - i, program.Definition)).ToList();
        return new LedgerPage(items, r.Length - 3 > limit ? items[^1].Id : null);
    }

    /// <summary>Entries of the ledger-since script read per LRANGE.</summary>
    private const int SinceChunk = 200;

    /// <summary>
    /// Each member's ledger entries from <paramref name="since"/> on, newest first, in the order of <paramref name="memberIds"/>:
    /// one round trip (ledger-since.lua) for them all.
    /// </summary>
    public async Task<IReadOnlyList<IReadOnlyList<LedgerEntry>>> LedgersSinceAsync(ProgramSnapshot program, IReadOnlyList<string> memberIds,
        DateTimeOffset since)
    {
        if (memberIds.Count == 0)
        {
            return [];
        }
        var r = (RedisResult[])(await scripts.ReadLedgersSince.RunAsync(redis.GetDatabase(), ScriptArgs<LedgerSinceScript>.Build(new(
            ProgramTime.ToUnixMs(since), SinceChunk, [.. memberIds.Select(m => RedisKeys.Ledger(program.Id, m))]))))!;
        return [.. r.Select(one =>
        {
            var reply = (RedisResult[])one!;
            var length = (long)reply[0];
            return (IReadOnlyList<LedgerEntry>)[.. reply.Skip(1).Select((e, i) => ToEntry((string)e!, length - i, program.Definition))];
        })];
    }

    /// <summary>A stored entry (ledger.lua's encoding) at its ordinal, explained.</summary>
    public static LedgerEntry ToEntry(string raw, long ordinal, ProgramDefinition program)
    {
        var e = LedgerEncoding.Parse(raw, ordinal);
        var kind = WireCode<LedgerKind>.Parse(e.Kind);
        string? target = e.Target.Length == 0 ? null : e.Target, reason = e.Reason.Length == 0 ? null : e.Reason;
        var (type, points, pending) = (e.Type, e.Points, e.Pending);
        var description = kind switch
        {
            // The scripts store the tier's number (0 = none) as the reason and the badge id as target and reason.
            LedgerKind.Tier => int.TryParse(reason, NumberStyles.Integer, CultureInfo.InvariantCulture, out var tier)
                ? LedgerText.TierChange(tier, Activities.ActivityStore.TierName(program, tier), Dropped(e, tier))
                : LedgerText.Describe(kind, type, target, points, pending, reason),
            LedgerKind.Badge => LedgerText.BadgeEarned(program.Badges?.FirstOrDefault(b => b.Id == target)?.Name ?? target ?? reason ?? "?"),
            LedgerKind.Expiry => LedgerText.Expired(-points),
            LedgerKind.Adjustment => LedgerText.Adjusted(points, type, reason),
            LedgerKind.Award or LedgerKind.Pending or LedgerKind.Approval or LedgerKind.Rejection or LedgerKind.Reversal
                or LedgerKind.Redemption or LedgerKind.Refund =>
                LedgerText.Describe(kind, type, target, points, pending, reason),
        };
        return new LedgerEntry(e.Id, kind, e.Ref, type, target, points, kind == LedgerKind.Pending ? pending : null,
            e.Balance, ProgramTime.FromUnixMs(e.At), reason, description,
            Lots.LotsTaken.Parse(e.Extras.GetValueOrDefault("lots")), e.Extras.GetValueOrDefault("client") is { Length: > 0 } client ? client : null);
    }

    /// <summary>A tier entry is a drop when its tier is below the one it leaves ('from', written by ledger.lua with the entry).</summary>
    private static bool Dropped(StoredLedgerEntry e, int tier) =>
        e.Extras.TryGetValue("from", out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var from) && tier < from;
}

/// <summary>The human explanation of a ledger entry: why the balance moved, or why it did not.</summary>
public static class LedgerText
{
    /// <summary>Why the balance moved; tier and badge entries are explained by <see cref="TierChange"/> and <see cref="BadgeEarned"/>.</summary>
    public static string Describe(LedgerKind kind, string type, string? target, long points, long pending, string? reason)
    {
        var what = target is null ? type : $"{type} on '{target}'";
        return kind switch
        {
            LedgerKind.Award => $"{Points(points)} for {what}.",
            LedgerKind.Pending => WireCode<ActivityReason>.TryParse(reason, out var held)
                ? $"{Points(pending)} for {what} {Await(pending)} moderation: {ActivityCodes.Explain(held)}."
                : $"{Points(pending)} for {what} {Await(pending)} moderation.",
            LedgerKind.Approval => $"{Points(points)} for {what}: approved by moderation.",
            LedgerKind.Reversal => $"{Points(-points)} for {what} reversed: {reason ?? "no reason given"}.",
            LedgerKind.Rejection => $"No points for {what}: {RejectionText(reason)}.",
            LedgerKind.Redemption => $"{Points(points)} spent on reward '{target}'" + (reason == "reserved" ? " (held until confirmed)." : "."),
            LedgerKind.Refund => $"{Points(points)} back from reward '{target}': redemption {reason}.",
            LedgerKind.Tier or LedgerKind.Badge or LedgerKind.Expiry or LedgerKind.Adjustment => kind.ToWire(),
        };
    }

    /// <summary>"1 point", "2 points", "0 points": the count with its noun in the right number.</summary>
    public static string Points(long count) => count is 1 or -1
        ? $"{count.ToString(CultureInfo.InvariantCulture)} point"
        : $"{count.ToString(CultureInfo.InvariantCulture)} points";

    private static string Await(long count) => count is 1 or -1 ? "awaits" : "await";

    /// <summary>A tier change; <paramref name="name"/> is null when the program no longer has that tier (the number is shown).</summary>
    public static string TierChange(int tier, string? name, bool dropped) => (tier, dropped) switch
    {
        (<= 0, _) => "Dropped below the first tier: a reversal lowered lifetime points.",
        (_, true) => $"Dropped to tier {name ?? tier.ToString(CultureInfo.InvariantCulture)}: a reversal lowered lifetime points.",
        _ => $"Reached tier {name ?? tier.ToString(CultureInfo.InvariantCulture)}.",
    };

    public static string BadgeEarned(string name) => $"Earned badge {name}.";

    public static string Expired(long count) => $"{Points(count)} expired.";

    /// <summary>An adjustment: its reason code (the entry's type) and the note, when erasure has not scrubbed it.</summary>
    public static string Adjusted(long points, string reasonCode, string? note) =>
        $"{(points >= 0 ? "+" : "")}{Points(points)} adjusted ({reasonCode})" + (string.IsNullOrEmpty(note) ? "." : $": {note}.");

    /// <summary>
    /// A rejection's reason is a rule's code (award.lua) or the moderator's own words (moderate.lua): each code is explained
    /// by <see cref="ActivityCodes.Explain"/>, anything else is the moderator's.
    /// </summary>
    public static string RejectionText(string? reason) =>
        WireCode<ActivityReason>.TryParse(reason, out var code) ? ActivityCodes.Explain(code)
        : string.IsNullOrEmpty(reason) ? "rejected by moderation"
        : $"rejected by moderation ({reason})";
}
