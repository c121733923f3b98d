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
                "An erased member's activities (replays included) answer 409 with `reason: member_erased` and no figures.");
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
        group.MapGet("/{activityId}", GetActivity)
            .WithName(nameof(GetActivity))
            .RequireAuthorization(Policies.ActivitiesOrRead)
            .WithSummary("Get a recorded activity and its current status");
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
        return group;
    }

    public sealed record ModerationRequest(string? Reason);

    private static async Task<Results<Ok<ActivityView>, NotFoundProblem>> GetActivity(
        string programId, string activityId, RouteProgram route, ActivityStore activities)
    {
        var activity = Ids.IsValidGeneratedId(activityId) ? await activities.FindAsync(programId, activityId) : null;
        return activity is null ? ActivityNotFound() : TypedResults.Ok(activity);
    }

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
            ModerationOutcome.Conflict => Problems.Conflict($"Cannot {action.ToWire()} an activity that is {current}."),
            ModerationOutcome.MemberInactive when current == MemberStatus.Erased.ToWire() => Problems.Conflict("The member was erased: their activities are no longer moderated."),
            ModerationOutcome.MemberInactive => Problems.Conflict($"The member is {current}: reinstate the member before moderating their activities."),
            ModerationOutcome.Done => TypedResults.Ok(result!),
        };
    }

    private static NotFoundProblem ActivityNotFound() => Problems.NotFound("No such activity in this program.");
}
