using Rewards.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
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
            .ProducesProblems(404, 409, 413, 422)
            .WithSummary("Record a member contribution")
            .WithDescription("Awards points by the program's rule for the activity type, or explains why not " +
                "(`daily_cap_reached`, `weekly_cap_reached`, `duplicate_target`, `cooldown`). Requires an `Idempotency-Key` header: " +
                "a retry with the same key and body returns the original answer with `Idempotent-Replayed: true`. " +
                "An erased member's activities (replays included) answer 409 with `reason: member_erased` and no figures.");
        group.MapGet("/{activityId}", GetActivity)
            .WithName(nameof(GetActivity))
            .RequireAuthorization(Policies.ActivitiesOrRead)
            .ProducesProblems(404)
            .WithSummary("Get a recorded activity and its current status");
        group.MapPost("/{activityId}/approve", Approve)
            .WithName(nameof(Approve))
            .RequireAuthorization(Policies.Activities)
            .ProducesProblems(404, 409)
            .WithSummary("Approve a pending activity: its points are awarded");
        group.MapPost("/{activityId}/reject", Reject)
            .WithName(nameof(Reject))
            .RequireAuthorization(Policies.Activities)
            .ProducesProblems(404, 409)
            .WithSummary("Reject a pending activity: no points, its cap and target slots are released");
        group.MapPost("/{activityId}/reverse", Reverse)
            .WithName(nameof(Reverse))
            .RequireAuthorization(Policies.Activities)
            .ProducesProblems(404, 409)
            .WithSummary("Reverse (claw back) an awarded activity")
            .WithDescription("Appends a negative ledger entry and reduces balance and lifetime points. A reason is required.");
        return group;
    }

    public sealed record ModerationRequest(string? Reason);

    private static async Task<Results<Ok<ActivityView>, ProblemHttpResult>> GetActivity(
        string programId, string activityId, RouteProgram route, ActivityStore activities)
    {
        var activity = Ids.IsValidGeneratedId(activityId) ? await activities.FindAsync(programId, activityId) : null;
        return activity is null ? ActivityNotFound() : TypedResults.Ok(activity);
    }

    private static Task<Results<Ok<ModerationResult>, ValidationProblem, ProblemHttpResult>> Approve(
        string programId, string activityId, ModerationRequest? request, RouteProgram route, ActivityStore activities, TimeProvider clock) =>
        Moderate("approve", programId, activityId, request, route, activities, clock);

    private static Task<Results<Ok<ModerationResult>, ValidationProblem, ProblemHttpResult>> Reject(
        string programId, string activityId, ModerationRequest? request, RouteProgram route, ActivityStore activities, TimeProvider clock) =>
        Moderate("reject", programId, activityId, request, route, activities, clock);

    private static Task<Results<Ok<ModerationResult>, ValidationProblem, ProblemHttpResult>> Reverse(
        string programId, string activityId, ModerationRequest? request, RouteProgram route, ActivityStore activities, TimeProvider clock) =>
        Moderate("reverse", programId, activityId, request, route, activities, clock);

    private static async Task<Results<Ok<ModerationResult>, ValidationProblem, ProblemHttpResult>> Moderate(
        string action, string programId, string activityId, ModerationRequest? request,
        RouteProgram route, ActivityStore activities, TimeProvider clock)
    {
        var program = route.Program;
        var reason = request?.Reason;
        var v = new Validation()
            .Check(reason is null || Ids.IsPlainText(reason, ActivityLimits.MaxReasonLength), "reason", $"When given: 1–{ActivityLimits.MaxReasonLength} characters of plain text.")
            .Check(action != "reverse" || reason is not null, "reason", "Required to reverse an activity.");
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
            ModerationOutcome.Conflict => Problems.Conflict($"Cannot {action} an activity that is {current}."),
            ModerationOutcome.MemberInactive when current == "erased" => Problems.Conflict("The member was erased: their activities are no longer moderated."),
            ModerationOutcome.MemberInactive => Problems.Conflict($"The member is {current}: reinstate the member before moderating their activities."),
            _ => TypedResults.Ok(result!),
        };
    }

    private static ProblemHttpResult ActivityNotFound() => Problems.NotFound("No such activity in this program.");
}
