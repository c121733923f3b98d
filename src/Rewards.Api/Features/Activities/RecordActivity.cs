using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Redis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Errors;
using static Rewards.Api.Features.Activities.ActivityLimits;

namespace Rewards.Api.Features.Activities;

public sealed record RecordActivityRequest(string? MemberId, string? Type, string? TargetId, DateTimeOffset? OccurredAt);

/// <summary>
/// Records a member's contribution. The decision and every write happen in one run of the award script;
/// this class only validates and resolves what the script needs (rule, local periods, hashes).
/// </summary>
public static class RecordActivity
{
    public const string IdempotencyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const int MaxStaleRetries = 3;

    public static async Task<Results<Created<ActivityResult>, ValidationProblem, NotFoundProblem, ConflictProblem, UnprocessableProblem>> Handle(
        string programId,
        RecordActivityRequest request,
        [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey,
        HttpResponse response,
        RouteProgram route,
        ProgramStore programs,
        ActivityStore activities,
        TimeProvider clock)
    {
        var program = route.Program;
        var v = Validate(new Validation(), request, idempotencyKey, IdempotencyHeader, "");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var (keyHash, requestHash) = Hashes(idempotencyKey!, request);
        var now = clock.GetUtcNow();
        var occurredAt = request.OccurredAt ?? now;

        for (var attempt = 0; ; attempt++)
        {
            var unprocessable = Check(program, request, occurredAt, now, out var rule);
            if (unprocessable is not null)
            {
                // A retry of a request accepted earlier gets its original answer even if rules or time moved on since.
                var (earlier, erased) = await activities.FindAnswerAsync(program, keyHash, requestHash, request.MemberId!, now);
                return erased ? MemberErased(request.MemberId!) : earlier is null ? unprocessable : Replay(response, earlier, program.Id);
            }

            var command = new AwardCommand(program, rule!, Ids.NewId(), keyHash, requestHash, request.MemberId!,
                request.Type!, request.TargetId, occurredAt, now);
            var (outcome, result) = await activities.AwardAsync(command);
            switch (outcome)
            {
                case AwardOutcome.Recorded:
                    return TypedResults.Created(Location(program.Id, result!.ActivityId), result);
                case AwardOutcome.Replayed:
                    return Replay(response, result!, program.Id);
                case AwardOutcome.MemberErased:
                    return MemberErased(request.MemberId!);
                case AwardOutcome.IdempotencyConflict:
                    return Problems.Conflict($"The {IdempotencyHeader} was already used with a different request body.");
                case AwardOutcome.StaleSettings when attempt < MaxStaleRetries:
                    program = await programs.FindAsync(program.Id, reload: true);
                    if (program is null)
                    {
                        return ProgramsApi.ProgramNotFound(programId);
                    }
                    break;
                default:
                    throw new InvalidOperationException($"Program '{program.Id}' settings kept changing during the award.");
            }
        }
    }

    /// <summary>The checks of one activity's fields (a batch item's fields are named <paramref name="prefix"/> + name).</summary>
    internal static Validation Validate(Validation v, RecordActivityRequest request, string? idempotencyKey, string keyField, string prefix) => v
        .Expect(idempotencyKey, Ids.IsValidIdempotencyKey(idempotencyKey), keyField, $"1–{Ids.MaxIdempotencyKeyLength} printable ASCII characters.")
        .Expect(request.MemberId, Ids.IsValidId(request.MemberId), prefix + "memberId", $"{Ids.IdRule}.")
        .Check(request.MemberId != MemberSelf.Me, prefix + "memberId", "'me' is reserved: in a path it stands for the member of a member token.")
        .Expect(request.Type, Ids.IsValidActivityType(request.Type), prefix + "type", "an activity type such as 'review'.")
        .Check(request.TargetId is null || Ids.IsPlainText(request.TargetId, MaxTargetIdLength), prefix + "targetId",
            $"When given: 1–{MaxTargetIdLength} characters without control characters.");

    /// <summary>The hashes the award script keys the idempotency record by and compares a retry's request with.</summary>
    internal static (string KeyHash, string RequestHash) Hashes(string idempotencyKey, RecordActivityRequest request) =>
        (Hash(idempotencyKey), Hash($"{request.MemberId}\n{request.Type}\n{request.TargetId}\n{request.OccurredAt?.ToUnixTimeMilliseconds()}"));

    internal static UnprocessableProblem? Check(ProgramSnapshot program, RecordActivityRequest request, DateTimeOffset occurredAt,
        DateTimeOffset now, out EarningRule? rule)
    {
        if (!program.Definition.Rules.TryGetValue(request.Type!, out rule))
        {
            return Problems.Unprocessable($"Activity type '{request.Type}' has no earning rule in this program.");
        }
        if (request.Type == ActivityStore.ReferralType && (!Ids.IsValidId(request.TargetId) || request.TargetId == request.MemberId))
        {
            return Problems.Unprocessable("A referral's targetId is the referred member's id, and a member cannot refer themselves.");
        }
        if (rule.UniquePerTarget && request.TargetId is null)
        {
            return Problems.Unprocessable($"'{request.Type}' counts once per target: targetId is required.");
        }
        if (occurredAt > now + MaxFutureSkew)
        {
            return Problems.Unprocessable($"occurredAt is more than {MaxFutureSkew.TotalMinutes:0} minutes in the future.");
        }
        if (occurredAt < now - MaxAge)
        {
            return Problems.Unprocessable($"occurredAt is more than {MaxAge.TotalDays:0} days in the past.");
        }
        return null;
    }

    /// <summary>
    /// The answer for any activity of an erased member, replays included: a 409 naming the reason and nothing else (no
    /// balance, tier or points). Erased ids are never reused, so the member is not created again either.
    /// </summary>
    public static ConflictProblem MemberErased(string memberId)
    {
        var problem = Problems.Conflict($"Member '{memberId}' was erased: erased member ids earn nothing and are not reused.");
        problem.Value.Extensions["reason"] = MemberErasedReason;
        return problem;
    }

    /// <summary>The reason code of <see cref="MemberErased"/>, as the award script's rejections name it.</summary>
    public static string MemberErasedReason => ActivityReason.MemberErased.ToWire();

    private static Created<ActivityResult> Replay(HttpResponse response, ActivityResult result, string programId)
    {
        response.Headers[ReplayedHeader] = "true";
        return TypedResults.Created(Location(programId, result.ActivityId), result);
    }

    private static string Location(string programId, string activityId) => $"/v1/programs/{programId}/activities/{activityId}";

    private static string Hash(string value) => IdempotencySlot.Hash(value);
}
