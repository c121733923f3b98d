using Rewards.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Rewards.Api.Features.Members;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Api.Features.Activities;

public static class ActivitiesApi
{
    public static IServiceCollection AddActivitiesFeature(this IServiceCollection services)
    {
        services.AddOptions<ActivityOptions>().BindConfiguration(ActivityOptions.Section)
            .Validate(o => o.DetailRetention >= TimeSpan.FromSeconds(1), "Rewards:Activities:DetailRetention must be at least one second (default 90 days).")
            .ValidateOnStart();
        services.AddSingleton<AwardBatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<AwardBatcher>());
        return services.AddSingleton<ActivityStore>();
    }

    public static RouteGroupBuilder MapActivitiesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/programs/{programId}/activities").WithTags("Activities").RequireProgram();

        group.MapPost("/", RecordActivity.Handle)
            .WithName(nameof(RecordActivity))
            .RequireAuthorization(Policies.Activities)
            .WithSummary("Record a member contribution")
            .WithDescription("Awards points by the program's rule for the activity type, or explains why not " +
                "(`status` rejected, or pending with a `reason`). Reasons: " + ActivityCodes.ReasonList() + ". Requires an `Idempotency-Key` header: " +
                "a retry with the same key and body returns the original answer with `Idempotent-Replayed: true`. " +
                "An erased member's activities (replays included) answer 409 with `reason: member_erased` and no figures. " +
                "A `cooldown` refusal carries `retryAt`, the instant from which the next one counts. `occurredAt` (default: now) " +
                "needs an offset, `Z` or `±hh:mm`.");
        // A custom method on the collection (AIP-136 style): "activities:batch" is one segment, so it is mapped beside the group.
        app.MapGroup("/v1/programs/{programId}").WithTags("Activities").RequireProgram()
            .MapPost("/activities:batch", RecordActivityBatch.Handle)
            .WithName(nameof(RecordActivityBatch))
            .RequireAuthorization(Policies.Activities)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(ActivityLimits.MaxBatchBodyBytes))
            .WithSummary($"Record up to {ActivityLimits.MaxBatchActivities:N0} member contributions (backfills, offline sync)")
            .WithDescription("Each item carries its own `idempotencyKey` and gets its own answer, in order: `status` is what " +
                "`POST .../activities` would have answered (201 with the `activity`, `replayed: true` for a key sent before with the " +
                "same activity; 400, 409 or 422 with a `problem`). An invalid item does not sink the others. The activities are " +
                $"decided in order, in runs of the award script of up to {AwardBatcher.MaxBatch}, exactly as separate requests would be. " +
                "The same key twice in one batch refuses the whole batch (400, nothing recorded). " +
                $"Body: at most {ActivityLimits.MaxBatchBodyBytes / 1024:N0} KiB.");
        group.MapGet("/pending", ListPending)
            .WithName(nameof(ListPending))
            .RequireAuthorization(Policies.Activities)
            .WithSummary("The moderation queue: pending activities, oldest first")
            .WithDescription("Activities waiting for a moderator: those of types whose rule requires approval, and those held by the " +
                "velocity rule (`reason: velocity`). Approving, rejecting or erasing the member takes them off. " + Paging.Description);
        group.MapGet("/{activityId}", GetActivity)
            .WithName(nameof(GetActivity))
            .RequireAuthorization(Policies.ActivitiesOrRead)
            .WithSummary("Get a recorded activity and its current status")
            .WithDescription("A decided activity's detail is kept for the program's detail retention (Rewards:Activities:DetailRetention, " +
                "default 90 days) from its decision; after it this answers 410 Gone (the member's ledger keeps the activity's entries), " +
                "and approve, reject or reverse answer 409 with the problem type `" + ArchivedProblemType + "`. A pending activity is kept until moderated.");
        group.MapPost("/{activityId}/approve", Approve)
            .WithName(nameof(Approve))
            .RequireAuthorization(Policies.Activities)
            .WithSummary("Approve a pending activity: its points are awarded");
        group.MapPost("/{activityId}/reject", Reject)
            .WithName(nameof(Reject))
            .RequireAuthorization(Policies.Activities)
            .WithSummary("Reject a pending activity: no points, its cap and target slots are released");
        group.MapPost("/{activityId}/reverse", Reverse)
            .WithName(nameof(Reverse))
            .RequireAuthorization(Policies.Activities)
            .WithSummary("Reverse (claw back) an awarded activity")
            .WithDescription("Appends a negative ledger entry and reduces balance and lifetime points. A reason is required.");
        // "activities:moderate" is one path segment, so it cannot live under the group's "/activities" prefix.
        app.MapGroup("/v1/programs/{programId}").WithTags("Activities").RequireProgram()
            .MapPost("/activities:moderate", ModerateMany)
            .WithName(nameof(ModerateMany))
            .RequireAuthorization(Policies.Activities)
            .WithSummary("Approve or reject up to 100 pending activities")
            .WithDescription("`action` (approve or reject) applies to each of `activityIds` (1 to 100, each once), with the optional " +
                "`reason`; an id that is not one the API returns refuses the whole request (400). Each id gets its own answer, in order: `done` with the moderation's result, `not_found`, or `conflict` " +
                "(not pending any more, or the member is suspended or erased) with a `detail`. Each moderation is atomic on its own; " +
                "one failing does not undo the others.");
        return group;
    }

    public sealed record ModerationRequest(string? Reason);

    public sealed record PendingList(IReadOnlyList<ActivityView> Activities, long Total);

    public sealed record BulkModerationRequest(
        [property: WireValues(typeof(ModerationAction), "approve", "reject")] string? Action, string[]? ActivityIds, string? Reason);

    /// <param name="Outcome">done, not_found or conflict.</param>
    public sealed record BulkModerationItem(string ActivityId, string Outcome, string? Detail, ModerationResult? Result);

    public sealed record BulkModerationResponse(IReadOnlyList<BulkModerationItem> Results);

    public const int MaxModerationBatch = 100;

    private static async Task<Results<Ok<PendingList>, ValidationProblem>> ListPending(
        string programId, RouteProgram route, ActivityStore activities, int? offset = null, int? limit = null)
    {
        var v = new Validation().CheckPage(offset, limit);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var (page, total) = await activities.PendingAsync(route.Program.Id, offset ?? 0, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new PendingList(page, total));
    }

    private static async Task<Results<Ok<BulkModerationResponse>, ValidationProblem>> ModerateMany(
        string programId, BulkModerationRequest request, RouteProgram route, ActivityStore activities, TimeProvider clock)
    {
        var ids = request.ActivityIds;
        var v = new Validation()
            .Expect(request.Action, request.Action is "approve" or "reject", "action", "approve or reject.")
            .Expect(ids, ids is { Length: >= 1 and <= MaxModerationBatch }, "activityIds", $"1 to {MaxModerationBatch} activity ids.")
            .Check(ids is null || ids.All(Ids.IsValidGeneratedId), "activityIds", "Each item must be an activity id as the API returned it.")
            .Check(ids is null || ids.Distinct(StringComparer.Ordinal).Count() == ids.Length, "activityIds", "Give each id once.")
            .Check(request.Reason is null || Ids.IsPlainText(request.Reason, ActivityLimits.MaxReasonLength), "reason",
                $"When given: 1–{ActivityLimits.MaxReasonLength} characters of plain text.");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var action = request.Action == "approve" ? ModerationAction.Approve : ModerationAction.Reject;
        var now = clock.GetUtcNow();
        var reason = request.Reason?.Trim();
        // Concurrent: the reads, then the script runs, share round trips on the multiplexed connection.
        var results = await Task.WhenAll(ids!.Select(async id =>
        {
            var (outcome, current, result) = await activities.ModerateAsync(route.Program, id, action, reason, now);
            return outcome switch
            {
                ModerationOutcome.Done => new BulkModerationItem(id, "done", null, result),
                ModerationOutcome.NotFound => new BulkModerationItem(id, "not_found", "No such activity in this program.", null),
                ModerationOutcome.Archived => new BulkModerationItem(id, "conflict", Archived(activities, id, action).Value.Detail, null),
                ModerationOutcome.Conflict => new BulkModerationItem(id, "conflict", $"Cannot {action.ToWire()} an activity that is {current}.", null),
                _ when current == MemberStatus.Erased.ToWire() => new BulkModerationItem(id, "conflict", "The member was erased: their activities are no longer moderated.", null),
                _ => new BulkModerationItem(id, "conflict", $"The member is {current}: reinstate the member before moderating their activities.", null),
            };
        }));
        return TypedResults.Ok(new BulkModerationResponse(results));
    }

    private static async Task<Results<Ok<ActivityView>, NotFoundProblem, GoneProblem>> GetActivity(
        string programId, string activityId, RouteProgram route, ActivityStore activities, TimeProvider clock)
    {
        var activity = Ids.IsValidGeneratedId(activityId) ? await activities.FindAsync(programId, activityId) : null;
        if (activity is not null)
        {
            return TypedResults.Ok(activity);
        }
        return activities.IsArchived(activityId, clock.GetUtcNow())
            ? Problems.Gone($"This activity's detail was archived: the detail of a decided activity is kept {activities.DetailRetentionText} " +
                "(Rewards:Activities:DetailRetention). The member's ledger still has its entries (GET .../members/{memberId}/ledger).")
            : ActivityNotFound();
    }

    /// <summary>The problem type of a moderation refused because the activity's detail was archived.</summary>
    public const string ArchivedProblemType = "https://rewards.local/problems/activity-archived";

    private static ConflictProblem Archived(ActivityStore activities, string activityId, ModerationAction action) => new(
        $"Cannot {action.ToWire()} this activity: its detail was archived {activities.DetailRetentionText} after it was decided " +
        "(Rewards:Activities:DetailRetention), and moderation needs it (its member, points and the cap and target slots it holds). " +
        "The member's ledger still has its entries; adjust points another way.",
        "Activity archived", ArchivedProblemType,
        new Dictionary<string, object?> { ["activityId"] = activityId, ["recordedAt"] = ActivityStore.RecordedAtOf(activityId) });

    private static Task<Results<Ok<ModerationResult>, ValidationProblem, NotFoundProblem, ConflictProblem>> Approve(
        string programId, string activityId, ModerationRequest? request, RouteProgram route, ActivityStore activities, TimeProvider clock) =>
        Moderate(ModerationAction.Approve, programId, activityId, request, route, activities, clock);

    private static Task<Results<Ok<ModerationResult>, ValidationProblem, NotFoundProblem, ConflictProblem>> Reject(
        string programId, string activityId, ModerationRequest? request, RouteProgram route, ActivityStore activities, TimeProvider clock) =>
        Moderate(ModerationAction.Reject, programId, activityId, request, route, activities, clock);

    private static Task<Results<Ok<ModerationResult>, ValidationProblem, NotFoundProblem, ConflictProblem>> Reverse(
        string programId, string activityId, ModerationRequest? request, RouteProgram route, ActivityStore activities, TimeProvider clock) =>
        Moderate(ModerationAction.Reverse, programId, activityId, request, route, activities, clock);

    private static async Task<Results<Ok<ModerationResult>, ValidationProblem, NotFoundProblem, ConflictProblem>> Moderate(
        ModerationAction action, string programId, string activityId, ModerationRequest? request,
        RouteProgram route, ActivityStore activities, TimeProvider clock)
    {
        var program = route.Program;
        var reason = request?.Reason;
        var v = new Validation()
            .Check(reason is null || Ids.IsPlainText(reason, ActivityLimits.MaxReasonLength), "reason", $"When given: 1–{ActivityLimits.MaxReasonLength} characters of plain text.")
            .Check(action != ModerationAction.Reverse || reason is not null, "reason", "Required to reverse an activity.");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        if (!Ids.IsValidGeneratedId(activityId))
        {
            return ActivityNotFound();
        }
        var (outcome, current, result) = await activities.ModerateAsync(program, activityId, action, reason?.Trim(), clock.GetUtcNow());
        return outcome switch
        {
            ModerationOutcome.NotFound => ActivityNotFound(),
            ModerationOutcome.Archived => Archived(activities, activityId, action),
            ModerationOutcome.Conflict => Problems.Conflict($"Cannot {action.ToWire()} an activity that is {current}."),
            ModerationOutcome.MemberInactive when current == MemberStatus.Erased.ToWire() => Problems.Conflict("The member was erased: their activities are no longer moderated."),
            ModerationOutcome.MemberInactive => Problems.Conflict($"The member is {current}: reinstate the member before moderating their activities."),
            ModerationOutcome.Done => TypedResults.Ok(result!),
        };
    }

    private static NotFoundProblem ActivityNotFound() => Problems.NotFound("No such activity in this program.");
}
