using Microsoft.AspNetCore.Http.HttpResults;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Errors;
using static Rewards.Api.Features.Activities.ActivityLimits;

namespace Rewards.Api.Features.Activities;

/// <summary>One activity of a batch: the fields of a single recording plus its own idempotency key.</summary>
public sealed record BatchActivityRequest(string? IdempotencyKey, string? MemberId, string? Type, string? TargetId, DateTimeOffset? OccurredAt);

public sealed record RecordActivityBatchRequest(BatchActivityRequest?[]? Activities);

/// <summary>A problem of one batch item: what a single recording would have answered.</summary>
public sealed record BatchItemProblem(string Title, string Detail, IReadOnlyDictionary<string, string[]>? Errors, string? Reason);

/// <summary>
/// The answer for one item, in the request's order: <c>status</c> is the status the single endpoint would have answered (201,
/// 201 with <c>replayed</c> for a key used before with the same activity, 400, 409, 422), with its <c>activity</c> or <c>problem</c>.
/// </summary>
public sealed record BatchItemResult(int Index, int Status, bool Replayed, ActivityResult? Activity, BatchItemProblem? Problem);

public sealed record RecordActivityBatchResponse(IReadOnlyList<BatchItemResult> Results);

/// <summary>
/// POST .../activities:batch: backfills and offline sync. Each item is validated and decided as a single recording would be
/// (its own idempotency key and answer; an invalid item does not sink the others), and the valid ones are awarded in order
/// through the same award script, up to <see cref="AwardBatcher.MaxBatch"/> per run: group commit without the queue.
/// </summary>
public static class RecordActivityBatch
{
    private const int MaxStaleRetries = 3;

    public static async Task<Results<Ok<RecordActivityBatchResponse>, ValidationProblem, NotFoundProblem>> Handle(
        string programId, RecordActivityBatchRequest request, RouteProgram route, ProgramStore programs, ActivityStore activities,
        TimeProvider clock)
    {
        var items = request.Activities;
        if (items is null || items.Length is 0 or > MaxBatchActivities)
        {
            return Problems.Invalid("activities", $"Required: 1 to {MaxBatchActivities:N0} activities.");
        }
        var duplicates = new Validation();
        var firstIndexOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < items.Length; i++)
        {
            if (items[i]?.IdempotencyKey is { } key && !firstIndexOfKey.TryAdd(key, i))
            {
                duplicates.Add($"activities[{i}].idempotencyKey",
                    $"Also the key of activities[{firstIndexOfKey[key]}]: each activity of a batch needs its own key. Nothing was recorded.");
            }
        }
        if (!duplicates.IsValid)
        {
            return duplicates.ToProblem();
        }

        var program = route.Program;
        var now = clock.GetUtcNow();
        var results = new BatchItemResult?[items.Length];
        var toCheckEarlier = new List<(int Index, UnprocessableProblem Problem, string KeyHash, string RequestHash, string MemberId)>();
        var pending = new List<(int Index, RecordActivityRequest Request, string KeyHash, string RequestHash)>();
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i];
            if (item is null)
            {
                results[i] = Invalid(i, new Dictionary<string, string[]> { [$"activities[{i}]"] = ["Must be an object."] });
                continue;
            }
            var single = new RecordActivityRequest(item.MemberId, item.Type, item.TargetId, item.OccurredAt);
            var v = new Validation();
            var errors = RecordActivity.Validate(v, single, item.IdempotencyKey, "idempotencyKey", "");
            if (!errors.IsValid)
            {
                results[i] = Invalid(i, ((HttpValidationProblemDetails)errors.ToProblem().ProblemDetails).Errors);
                continue;
            }
            var (keyHash, requestHash) = RecordActivity.Hashes(item.IdempotencyKey!, single);
            pending.Add((i, single, keyHash, requestHash));
        }

        for (var attempt = 0; pending.Count > 0; attempt++)
        {
            var commands = new List<(int Index, AwardCommand Command)>();
            foreach (var (index, single, keyHash, requestHash) in pending)
            {
                var occurredAt = single.OccurredAt ?? now;
                if (RecordActivity.Check(program, single, occurredAt, now, out var rule) is { } unprocessable)
                {
                    toCheckEarlier.Add((index, unprocessable, keyHash, requestHash, single.MemberId!));
                    continue;
                }
                commands.Add((index, new AwardCommand(program, rule!, Ids.NewId(), keyHash, requestHash, single.MemberId!, single.Type!,
                    single.TargetId, occurredAt, now)));
            }
            var outcomes = await activities.AwardChunksAsync([.. commands.Select(c => c.Command)]);
            var stale = new HashSet<int>();
            for (var j = 0; j < commands.Count; j++)
            {
                var index = commands[j].Index;
                var (outcome, result) = outcomes[j];
                results[index] = outcome switch
                {
                    AwardOutcome.Recorded => new BatchItemResult(index, StatusCodes.Status201Created, false, result, null),
                    AwardOutcome.Replayed => new BatchItemResult(index, StatusCodes.Status201Created, true, result, null),
                    AwardOutcome.MemberErased => Problem(index, RecordActivity.MemberErased(commands[j].Command.MemberId)),
                    AwardOutcome.IdempotencyConflict => Problem(index, Problems.Conflict(
                        "This idempotencyKey was already used with a different activity.")),
                    AwardOutcome.StaleSettings => null,
                };
                if (outcome == AwardOutcome.StaleSettings)
                {
                    stale.Add(index);
                }
            }
            pending = [.. pending.Where(p => stale.Contains(p.Index))];
            if (pending.Count == 0)
            {
                break;
            }
            if (attempt >= MaxStaleRetries)
            {
                throw new InvalidOperationException($"Program '{program.Id}' settings kept changing during a batch.");
            }
            program = await programs.FindAsync(program.Id, reload: true);
            if (program is null)
            {
                return ProgramsApi.ProgramNotFound(programId);
            }
        }

        // As for a single recording: a retry of an activity accepted earlier gets its original answer even if the rules or the
        // time moved on since. Read together (pipelined), not one round trip after another.
        var earlier = await Task.WhenAll(toCheckEarlier.Select(c => activities.FindAnswerAsync(program, c.KeyHash, c.RequestHash, c.MemberId, now)));
        for (var j = 0; j < toCheckEarlier.Count; j++)
        {
            var (index, problem, _, _, memberId) = toCheckEarlier[j];
            var (answer, erased) = earlier[j];
            results[index] = erased ? Problem(index, RecordActivity.MemberErased(memberId))
                : answer is not null ? new BatchItemResult(index, StatusCodes.Status201Created, true, answer, null)
                : Problem(index, problem);
        }
        return TypedResults.Ok(new RecordActivityBatchResponse([.. results.Select(r => r!)]));
    }

    private static BatchItemResult Invalid(int index, IDictionary<string, string[]> errors) =>
        new(index, StatusCodes.Status400BadRequest, false, null,
            new BatchItemProblem("One or more validation errors occurred.", "This activity is invalid: see errors.",
                errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal), null));

    private static BatchItemResult Problem(int index, StatusProblem problem) =>
        new(index, problem.StatusCode ?? StatusCodes.Status400BadRequest, false, null,
            new BatchItemProblem(problem.Value.Title ?? "", problem.Value.Detail ?? "", null,
                problem.Value.Extensions.TryGetValue("reason", out var reason) ? reason as string : null));
}
