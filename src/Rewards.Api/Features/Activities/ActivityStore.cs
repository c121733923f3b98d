using Microsoft.Extensions.Options;
using Rewards.Api.Features.Events;
using Rewards.Api.Features.Insights;
using System.Globalization;
using Rewards.Api.Features.Leaderboards;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Activities;

/// <summary>What the API answers for a recorded activity (and replays for a repeated idempotency key).</summary>
public sealed record ActivityResult(
    string ActivityId, ActivityStatus Status, ActivityReason? Reason, long Points, long? PendingPoints, long Balance, long LifetimePoints,
    string? Tier, bool TierChanged, IReadOnlyList<string> NewBadges, DateTimeOffset? RetryAt = null);

public sealed record ActivityView(
    string ActivityId, string MemberId, string Type, string? TargetId, DateTimeOffset OccurredAt, DateTimeOffset RecordedAt,
    ActivityStatus Status, ActivityReason? Reason, long Points, DateTimeOffset? ModeratedAt, string? ModerationReason);

public sealed record ModerationResult(string ActivityId, ActivityStatus Status, long Points, long Balance, long LifetimePoints,
    string? Tier, bool TierChanged, IReadOnlyList<string> NewBadges);

public enum AwardOutcome { Recorded, Replayed, IdempotencyConflict, StaleSettings, MemberErased }

public enum ModerationOutcome { Done, NotFound, Conflict, MemberInactive, Archived }

/// <summary>One activity to award, with everything the award script needs already resolved.</summary>
public sealed record AwardCommand(
    ProgramSnapshot Program, EarningRule Rule, string ActivityId, string IdempotencyKeyHash, string RequestHash,
    string MemberId, string Type, string? TargetId, DateTimeOffset OccurredAt, DateTimeOffset Now);

public sealed class ActivityStore(IConnectionMultiplexer redis, RewardsScripts scripts, AwardBatcher batcher, IOptions<InsightsOptions> insights,
    IOptions<ActivityOptions> options, IOptions<EventsOptions> events)
{
    /// <summary>Idempotency keys are remembered for at least 48 hours (the contract promises at least 24).</summary>
    public static TimeSpan IdempotencyRetention => IdempotencySlot.Retention;

    /// <summary>The activity type whose target is the referred member: one award per referred member, never oneself.</summary>
    public const string ReferralType = "referral";

    // Cap counters must outlive the oldest accepted occurredAt (7 days back) plus the period itself.
    private static readonly TimeSpan DayCounterRetention = TimeSpan.FromDays(9);
    private static readonly TimeSpan WeekCounterRetention = TimeSpan.FromDays(16);

    private static readonly RedisValue[] ViewFields =
        [ActivityFields.Member, ActivityFields.Type, ActivityFields.Target, ActivityFields.OccurredAt, ActivityFields.RecordedAt,
         ActivityFields.Status, ActivityFields.Reason, ActivityFields.Points, ActivityFields.ModeratedAt, ActivityFields.ModerationReason,
         ActivityFields.Day, ActivityFields.Week];

    public async Task<(AwardOutcome Outcome, ActivityResult? Result)> AwardAsync(AwardCommand c)
    {
        var (keys, args) = Build(c);
        return Outcome(c, (RedisResult[])(await batcher.SubmitAsync(c.Program.Id, keys, args))!);
    }

    /// <summary>
    /// Awards many activities of one program (a batch) in runs of the award script of up to <see cref="AwardBatcher.MaxBatch"/>
    /// awards each, decided in order exactly as separate requests would be; the answers are in the commands' order.
    /// </summary>
    public async Task<IReadOnlyList<(AwardOutcome Outcome, ActivityResult? Result)>> AwardChunksAsync(IReadOnlyList<AwardCommand> commands)
    {
        var outcomes = new List<(AwardOutcome, ActivityResult?)>(commands.Count);
        var db = redis.GetDatabase();
        foreach (var chunk in commands.Chunk(AwardBatcher.MaxBatch))
        {
            var built = chunk.Select(Build).ToArray();
            var replies = (RedisResult[])(await scripts.Award.RunAsync(db, [.. built.SelectMany(b => b.Keys)], [.. built.SelectMany(b => b.Args)]))!;
            outcomes.AddRange(chunk.Select((c, i) => Outcome(c, (RedisResult[])replies[i]!)));
        }
        return outcomes;
    }

    private static (AwardOutcome Outcome, ActivityResult? Result) Outcome(AwardCommand c, RedisResult[] r) => (string)r[0]! switch
    {
        "stale" => (AwardOutcome.StaleSettings, null),
        "conflict" => (AwardOutcome.IdempotencyConflict, null),
        "erased" => (AwardOutcome.MemberErased, null),
        "replayed" => (AwardOutcome.Replayed, AwardRecord.Parse((byte[])r[1]!, c.RequestHash, c.Program.Definition)),
        _ => (AwardOutcome.Recorded, AwardRecord.Parse((byte[])r[1]!, c.RequestHash, c.Program.Definition)),
    };

    private (RedisKey[] Keys, RedisValue[] Args) Build(AwardCommand c)
    {
        var p = c.Program.Id;
        var periods = ProgramTime.PeriodsOf(c.OccurredAt, c.Program.Zone);
        var localDate = ProgramTime.LocalDate(c.OccurredAt, c.Program.Zone);
        var (keys, args) = ScriptArgs<AwardScript>.Build(new AwardScript(
            RedisKeys.Program(p), IdempotencySlot.For(p, c.IdempotencyKeyHash, c.RequestHash, c.Now), RedisKeys.Member(p, c.MemberId),
            RedisKeys.Ledger(p, c.MemberId), RedisKeys.Activity(p, c.ActivityId),
            RedisKeys.CapCounter(p, c.MemberId, c.Type, periods.Day), RedisKeys.CapCounter(p, c.MemberId, c.Type, periods.Week),
            RedisKeys.MemberTargets(p, c.MemberId, c.Type), RedisKeys.MemberIndex(p), RedisKeys.MemberIdIndex(p),
            c.Program.Version, c.ActivityId, Convert.FromHexString(c.ActivityId), c.MemberId, c.Type, c.TargetId ?? "",
            ProgramTime.ToUnixMs(c.OccurredAt), ProgramTime.ToUnixMs(c.Now), c.Rule.Points,
            c.Rule.DailyCap ?? 0, c.Rule.WeeklyCap ?? 0, c.Rule.UniquePerTarget, (c.Rule.CooldownSeconds ?? 0) * 1000L,
            c.Rule.RequiresApproval, ProgramTime.ToUnixMs(c.Now + IdempotencySlot.LegacyWindow), (long)DayCounterRetention.TotalSeconds,
            (long)WeekCounterRetention.TotalSeconds, periods.Day, periods.Week, periods.Month,
            BoardWrites.For(c.Program, c.Type, localDate, c.Now),
            RedisKeys.Stats(p, periods.Day), RedisKeys.StatsActiveMembers(p, periods.Day),
            RedisKeys.Velocity(p, c.MemberId, c.Now.ToUnixTimeSeconds() / 60), RedisKeys.AmbassadorDay(p, periods.Day),
            RedisKeys.FlaggedMembers(p), RedisKeys.Referral(p, c.Type == ReferralType ? c.TargetId ?? "" : ""), RedisKeys.PendingActivities(p),
            c.Program.Definition.TierThresholds, c.Program.Definition.BadgeRules, DayNumber(localDate),
            c.Program.Definition.Velocity?.MaxPerMinute ?? 0, insights.Value.RetentionSeconds, c.Type == ReferralType,
            options.Value.DetailRetentionSeconds, EventWrites.For(p, events.Value)));
        return (keys, args);
    }

    /// <summary>
    /// The stored answer for an idempotency key, when it was used with the same request (whose member is
    /// <paramref name="memberId"/>); <c>Erased</c> instead when that member was erased since: their numbers are not shown.
    /// </summary>
    public async Task<(ActivityResult? Answer, bool Erased)> FindAnswerAsync(ProgramSnapshot program, string idempotencyKeyHash,
        string requestHash, string memberId, DateTimeOffset now)
    {
        var db = redis.GetDatabase();
        var status = db.HashGetAsync(RedisKeys.Member(program.Id, memberId), MemberFields.Status);
        var record = await IdempotencySlot.For(program.Id, idempotencyKeyHash, requestHash, now).FindAsync(db);
        var answer = record is null ? null : AwardRecord.Parse(record, requestHash, program.Definition);
        if (answer is null)
        {
            return (null, false);
        }
        return await status == Members.MemberStatus.Erased.ToWire() ? (null, true) : (answer, false);
    }

    public async Task<ActivityView?> FindAsync(string programId, string activityId)
    {
        var f = await redis.GetDatabase().HashGetAsync(RedisKeys.Activity(programId, activityId), ViewFields);
        if (f[0].IsNull)
        {
            return null;
        }
        return new ActivityView(activityId, f[0]!, f[1]!, NullIfEmpty(f[2]), ProgramTime.FromUnixMs((long)f[3]),
            ProgramTime.FromUnixMs((long)f[4]), WireCode<ActivityStatus>.Parse(f[5]!), ReasonOf(f[6]), (long)f[7],
            f[8].IsNull ? null : ProgramTime.FromUnixMs((long)f[8]), NullIfEmpty(f[9]));
    }

    /// <summary>
    /// One page of the moderation queue, oldest first, and its length: the ids in one round trip, the activities in a second,
    /// pipelined. Approval, rejection and erasure take activities off the queue in their own script runs.
    /// </summary>
    public async Task<(IReadOnlyList<ActivityView> Activities, long Total)> PendingAsync(string programId, int offset, int limit)
    {
        var db = redis.GetDatabase();
        var total = db.SortedSetLengthAsync(RedisKeys.PendingActivities(programId));
        var ids = await db.SortedSetRangeByRankAsync(RedisKeys.PendingActivities(programId), offset, offset + limit - 1);
        var views = await Task.WhenAll(ids.Select(id => FindAsync(programId, id.ToString())));
        return ([.. views.OfType<ActivityView>()], await total);
    }

    /// <summary>Approve, reject or reverse. The script re-checks the state, so a concurrent moderation cannot both succeed.</summary>
    public async Task<(ModerationOutcome Outcome, string? CurrentStatus, ModerationResult? Result)> ModerateAsync(
        ProgramSnapshot program, string activityId, ModerationAction action, string? reason, DateTimeOffset now)
    {
        var programId = program.Id;
        var db = redis.GetDatabase();
        var a = await db.HashGetAsync(RedisKeys.Activity(programId, activityId), [ActivityFields.Member, ActivityFields.Type, ActivityFields.Day, ActivityFields.Week, ActivityFields.Target]);
        var today = ProgramTime.PeriodsOf(now, program.Zone).Day;
        if (a[0].IsNull)
        {
            return (IsArchived(activityId, now) ? ModerationOutcome.Archived : ModerationOutcome.NotFound, null, null);
        }
        string member = a[0]!, type = a[1]!;
        var day = DateOnly.ParseExact((string)a[2]!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var r = (RedisResult[])(await scripts.Moderate.RunAsync(db, ScriptArgs<ModerateScript>.Build(new ModerateScript(
            RedisKeys.Activity(programId, activityId), RedisKeys.Member(programId, member), RedisKeys.Ledger(programId, member),
            RedisKeys.CapCounter(programId, member, type, a[2]!), RedisKeys.CapCounter(programId, member, type, a[3]!),
            RedisKeys.MemberTargets(programId, member, type),
            action.ToWire(), activityId, member, ProgramTime.ToUnixMs(now), reason ?? "",
            BoardWrites.For(program, type, day, now),
            RedisKeys.Stats(programId, a[2]!), RedisKeys.Stats(programId, today), RedisKeys.AmbassadorDay(programId, a[2]!),
            RedisKeys.Referral(programId, type == ReferralType ? (string?)a[4] ?? "" : ""), RedisKeys.PendingActivities(programId),
            program.Definition.TierThresholds, program.Definition.BadgeRules, DayNumber(day), insights.Value.RetentionSeconds,
            options.Value.DetailRetentionSeconds, EventWrites.For(programId, events.Value)))))!;
        return (string)r[0]! switch
        {
            // Its detail expired between the read above and the script run: archived (or gone, when young).
            "missing" => (IsArchived(activityId, now) ? ModerationOutcome.Archived : ModerationOutcome.NotFound, null, null),
            "conflict" => (ModerationOutcome.Conflict, (string)r[1]!, null),
            "inactive" => (ModerationOutcome.MemberInactive, (string)r[1]!, null),
            _ => (ModerationOutcome.Done, (string)r[1]!, new ModerationResult(activityId, WireCode<ActivityStatus>.Parse((string)r[1]!), (long)r[2], (long)r[3], (long)r[4],
                TierName(program.Definition, (int)r[5]), (int)r[6] == 1, Badges((string?)r[7]))),
        };
    }

    /// <summary>
    /// Whether a missing activity's detail was archived: its id is one the API generates (UUIDv7, whose first 48 bits are
    /// the unix ms it was made, at record time) and it was recorded longer ago than the detail retention, so its hash has
    /// expired (a decided activity's detail lives that long from its decision, never less). A younger missing id never existed.
    /// </summary>
    public bool IsArchived(string activityId, DateTimeOffset now) =>
        RecordedAtOf(activityId) is { } recordedAt && now - recordedAt > options.Value.DetailRetention;

    /// <summary>When an id the API generated was made (UUIDv7: the first 12 hex digits are unix ms); null for another id.</summary>
    public static DateTimeOffset? RecordedAtOf(string activityId) =>
        Infrastructure.Ids.IsValidGeneratedId(activityId) && activityId[12] == '7'
        && long.TryParse(activityId.AsSpan(0, 12), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;

    /// <summary>The configured detail retention, as problems say it ("90 days").</summary>
    public string DetailRetentionText => options.Value.DetailRetentionText;

    /// <summary>Tiers are numbered by the scripts: 0 = none, 1 = the first tier, ...</summary>
    public static string? TierName(ProgramDefinition program, int index) =>
        index >= 1 && index <= (program.Tiers?.Count ?? 0) ? program.Tiers![index - 1].Name : null;

    internal static IReadOnlyList<string> Badges(string? ids) => string.IsNullOrEmpty(ids) ? [] : ids.Split(',');

    /// <summary>Local day number (days since 1970-01-01) for streaks: consecutive days differ by one.</summary>
    public static long DayNumber(DateOnly localDate) => localDate.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    /// <summary>The scripts store '' for no reason.</summary>
    internal static ActivityReason? ReasonOf(string? wire) => string.IsNullOrEmpty(wire) ? null : WireCode<ActivityReason>.Parse(wire);

    private static string? NullIfEmpty(RedisValue value) => value.IsNullOrEmpty ? null : value.ToString();
}
