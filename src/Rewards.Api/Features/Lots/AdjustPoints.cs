using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Rewards.Api.Features.Activities;
using Rewards.Api.Features.Insights;
using Rewards.Api.Features.Leaderboards;
using Rewards.Api.Features.Members;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Errors;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Lots;

/// <summary>Why points were adjusted by hand (the ledger entry's type).</summary>
public enum AdjustmentReason
{
    [JsonStringEnumMemberName("goodwill")] Goodwill,
    [JsonStringEnumMemberName("correction")] Correction,
    [JsonStringEnumMemberName("migration")] Migration,
    [JsonStringEnumMemberName("other")] Other,
}

/// <summary>The per-client daily cap of adjustments (configuration section Rewards:Adjustments).</summary>
public sealed class AdjustmentOptions
{
    public const string Section = "Rewards:Adjustments";

    /// <summary>
    /// Points (added and removed alike, counted absolutely) one API client may adjust per program and local day; an adjustment
    /// past it is refused (422) and only the operator (rewards.admin) may make it. 0 = no client may adjust (operator only).
    /// </summary>
    public long DailyCapPerClient { get; set; } = 10_000;
}

/// <param name="Points">Points to add (positive) or remove (negative); not zero, at most 1,000,000 either way.</param>
/// <param name="Reason">goodwill, correction, migration or other.</param>
/// <param name="Note">Free text for the ledger (at most 200 characters); scrubbed when the member is erased.</param>
/// <param name="CountsTowardLifetime">Whether the points also move lifetime points, tier and the 'points' leaderboards (default false: the balance only).</param>
public sealed record AdjustmentRequest(long? Points, string? Reason, string? Note, bool? CountsTowardLifetime);

/// <param name="Lots">What a negative adjustment took from the member's lots, earliest expiry first (null when none).</param>
public sealed record AdjustmentResult(string AdjustmentId, string MemberId, long Points, AdjustmentReason Reason, string? Note,
    bool CountsTowardLifetime, long Balance, long LifetimePoints, string? Tier, IReadOnlyList<LotAmount>? Lots, string ClientId,
    DateTimeOffset At);

public enum AdjustmentOutcome { Done, Replayed, Conflict, MemberMissing, CapReached }

/// <summary>The keys and arguments of adjust.lua (which names the same list, in order).</summary>
[LuaScript("adjust")]
public sealed record AdjustScript(
    IdempotencySlot Idempotency, RedisKey Member, RedisKey Ledger, RedisKey Lots, RedisKey LotsDue, RedisKey ClientDay, RedisKey Stats,
    string AdjustmentId, string MemberId, long Points, string Reason, string Note, string ClientId, long Now,
    string Lot, long Cap, long CapTtl, long KpiTtl, bool Counts, BoardWrites Boards, string Tiers, string Badges,
    Events.EventWrites Events) : IScriptArgs;

public sealed class AdjustmentStore(IConnectionMultiplexer redis, RewardsScripts scripts, IOptions<InsightsOptions> insights,
    IOptions<Events.EventsOptions> events)
{
    /// <summary>The type adjustments that count toward lifetime move points under (no activity type may start with '_').</summary>
    public const string AdjustmentType = "_adjustment";

    /// <param name="idempotencyKey">The client's Idempotency-Key: its record is in the idempotency store of every write path
    /// (<see cref="IdempotencySlot"/>), hashed apart from activities' and redemptions' keys (<see cref="AdjustPoints.KeyHash"/>);
    /// the slot's own string is the old layout's key (<see cref="RedisKeys.AdjustmentIdempotency"/>), whose records adjust.lua still answers.</param>
    public async Task<(AdjustmentOutcome Outcome, string? Answer, long UsedToday)> AdjustAsync(ProgramSnapshot program, string memberId,
        string idempotencyKey, string requestHash, long points, AdjustmentReason reason, string note, bool counts, string clientId, long cap,
        DateTimeOffset now)
    {
        var p = program.Id;
        var today = ProgramTime.LocalDate(now, program.Zone);
        var dayId = ProgramTime.DayId(today);
        var slot = IdempotencySlot.For(p, AdjustPoints.KeyHash(idempotencyKey), requestHash, now) with
        {
            Own = RedisKeys.AdjustmentIdempotency(p, IdempotencySlot.Hash(idempotencyKey)),
        };
        var r = (RedisResult[])(await scripts.Adjust.RunAsync(redis.GetDatabase(), ScriptArgs<AdjustScript>.Build(new(
            slot, RedisKeys.Member(p, memberId), RedisKeys.Ledger(p, memberId), RedisKeys.MemberLots(p, memberId), RedisKeys.LotsDue(p),
            RedisKeys.ClientAdjustments(p, clientId, dayId), RedisKeys.Stats(p, dayId),
            Ids.NewId(), memberId, points, reason.ToWire(), note, clientId, ProgramTime.ToUnixMs(now),
            points > 0 ? program.Expiry.LotOf(today) : "", cap, (long)TimeSpan.FromDays(2).TotalSeconds,
            insights.Value.RetentionSeconds, counts,
            BoardWrites.For(program, AdjustmentType, today, now), program.Definition.TierThresholds, program.Definition.BadgeRules,
            Events.EventWrites.For(p, events.Value)))))!;
        return (string)r[0]! switch
        {
            "done" => (AdjustmentOutcome.Done, (string)r[1]!, 0),
            "replayed" => (AdjustmentOutcome.Replayed, (string)r[1]!, 0),
            "conflict" => (AdjustmentOutcome.Conflict, null, 0),
            "cap" => (AdjustmentOutcome.CapReached, null, (long)r[1]),
            _ => (AdjustmentOutcome.MemberMissing, null, 0),
        };
    }
}

/// <summary>POST .../members/{memberId}/adjustments: validation, the cap's owner, the answer; adjust.lua decides and writes.</summary>
public static class AdjustPoints
{
    public const long MaxPoints = 1_000_000;
    public const int MaxNoteLength = 200;

    public const string Description =
        "Adds or removes points by hand, with an `Idempotency-Key` (same rules as activities: a replay gets the same answer with " +
        "`Idempotent-Replayed: true`, the same key with another body is 409). `reason`: goodwill, correction, migration or other; " +
        "`note`: free text for the ledger (scrubbed if the member is erased). The ledger entry (kind `adjustment`) names the API " +
        "client that made it (`clientId`). A positive adjustment makes or grows today's lot under the program's `pointsExpiry`; a " +
        "negative one takes lots earliest expiry first (listed in `lots`) and may take the balance below zero (a debt that blocks " +
        "redemptions until earned back). `countsTowardLifetime` (default false): whether lifetime points, tier and the 'points' " +
        "leaderboards move too (never streaks). Each API client may adjust at most `Rewards:Adjustments:DailyCapPerClient` points " +
        "(added and removed, counted absolutely) per program and local day; past it the answer is 422 (`reason` " +
        "`daily_adjustment_cap_reached`) and only the operator (rewards.admin) can make the adjustment.";

    public const string CapReachedReason = "daily_adjustment_cap_reached";

    public static async Task<Results<Created<AdjustmentResult>, ValidationProblem, NotFoundProblem, ConflictProblem, UnprocessableProblem>> Handle(
        string programId, string memberId, AdjustmentRequest request, [FromHeader(Name = RecordActivity.IdempotencyHeader)] string? idempotencyKey,
        HttpContext http, RouteProgram route, AdjustmentStore adjustments, IOptions<AdjustmentOptions> options, TimeProvider clock)
    {
        var reason = default(AdjustmentReason);
        var v = new Validation()
            .Expect(idempotencyKey, Ids.IsValidIdempotencyKey(idempotencyKey), RecordActivity.IdempotencyHeader,
                $"1–{Ids.MaxIdempotencyKeyLength} printable ASCII characters.")
            .Expect(request.Points, request.Points is >= -MaxPoints and <= MaxPoints and not 0, "points",
                $"a whole number of points to add (positive) or remove (negative): not 0, at most {MaxPoints:N0} either way.")
            .Expect(request.Reason, request.Reason is not null && WireCode<AdjustmentReason>.TryParse(request.Reason, out reason), "reason",
                "one of goodwill, correction, migration, other.")
            .Check(request.Note is null || Ids.IsPlainText(request.Note, MaxNoteLength), "note",
                $"When given: 1–{MaxNoteLength} characters of plain text.");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        if (!Ids.IsValidId(memberId))
        {
            return MembersApi.MemberNotFound(memberId);
        }
        var note = request.Note?.Trim() ?? "";
        var counts = request.CountsTowardLifetime ?? false;
        var clientId = http.User.ClientIdOf() ?? "operator";
        // The operator is not capped; 0 = no cap in the script, so a client's cap of 0 is a cap no adjustment fits under.
        var cap = http.User.IsAdmin() ? 0 : Math.Max(options.Value.DailyCapPerClient, 0);
        if (!http.User.IsAdmin() && cap == 0)
        {
            return CapReached(0, 0);
        }
        var requestHash = RequestHash(memberId, request.Points!.Value, request.Reason!, note, counts);
        var (outcome, answer, used) = await adjustments.AdjustAsync(route.Program, memberId, idempotencyKey!, requestHash, request.Points.Value,
            reason, note, counts, clientId, cap, clock.GetUtcNow());
        switch (outcome)
        {
            case AdjustmentOutcome.Conflict:
                return Problems.Conflict($"The {RecordActivity.IdempotencyHeader} was already used with a different request body.");
            case AdjustmentOutcome.MemberMissing:
                return MembersApi.MemberNotFound(memberId);
            case AdjustmentOutcome.CapReached:
                return CapReached(cap, used);
            case AdjustmentOutcome.Replayed:
                http.Response.Headers[RecordActivity.ReplayedHeader] = "true";
                break;
        }
        var result = Parse(answer!, memberId, reason, note, counts, clientId, route.Program);
        return TypedResults.Created($"/v1/programs/{programId}/members/{memberId}/ledger", result);
    }

    private static UnprocessableProblem CapReached(long cap, long used)
    {
        var problem = Problems.Unprocessable(cap == 0
            ? "API clients may not adjust points in this deployment (Rewards:Adjustments:DailyCapPerClient is 0): ask the operator."
            : $"This adjustment would take the points this client adjusted today past its daily cap ({cap:N0}; {used:N0} used): " +
              "make a smaller one, wait for tomorrow (the program's local day), or ask the operator.");
        problem.Value.Extensions["reason"] = CapReachedReason;
        problem.Value.Extensions["dailyCap"] = cap;
        problem.Value.Extensions["usedToday"] = used;
        return problem;
    }

    /// <summary>adjust.lua's answer: adjustmentId|points|balance|lifetime|tier|lots|at.</summary>
    private static AdjustmentResult Parse(string answer, string memberId, AdjustmentReason reason, string note, bool counts, string clientId,
        ProgramSnapshot program)
    {
        var f = answer.Split('|');
        long N(int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
        return new AdjustmentResult(f[0], memberId, N(1), reason, note.Length == 0 ? null : note, counts, N(2), N(3),
            ActivityStore.TierName(program.Definition, (int)N(4)), LotsTaken.Parse(f[5]), clientId, ProgramTime.FromUnixMs(N(6)));
    }

    /// <summary>The key's hash in the idempotency store, apart from activities' and redemptions' ("adjustment\n" first): one key may serve each.</summary>
    public static string KeyHash(string idempotencyKey) => IdempotencySlot.Hash("adjustment\n" + idempotencyKey);

    /// <summary>What identifies an adjustment request (a retry with the same key and another body is a conflict).</summary>
    public static string RequestHash(string memberId, long points, string reason, string note, bool counts) =>
        IdempotencySlot.Hash(string.Join('\n', memberId, points.ToString(CultureInfo.InvariantCulture), reason, note, counts ? "1" : "0"));
}
