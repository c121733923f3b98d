using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Rewards.Api.Features.Members;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Api.Features.Catalogue;

/// <summary>Redemptions: a member's (redeem, confirm, cancel, list) and the program's (list, fulfilment of physical rewards).</summary>
public static class RedemptionsApi
{
    public static RouteGroupBuilder MapRedemptionsApi(this IEndpointRouteBuilder app)
    {
        var member = app.MapGroup("/v1/programs/{programId}/members/{memberId}/redemptions").WithTags("Redemptions").RequireProgram();
        member.MapPost("/", RedeemReward.Handle)
            .WithName(nameof(RedeemReward))
            .RequireAuthorization(Policies.MemberAct)
            .WithSummary("Spend points on a reward")
            .WithDescription("Requires an `Idempotency-Key` header: a retry with the same key and body answers the same redemption with " +
                "`Idempotent-Replayed: true` (a refusal is answered the same way again); another body with the key is a 409. Brand clients " +
                "(`rewards.activities`) and, when the program's `redemptions.membersMayRedeem` allows it, the member's own token (else 403). " +
                "One script run decides and writes everything. Refusals are problems with a `reason`: " +
                PerkCodesList() + ". With `\"hold\": true` the redemption is `reserved` until `holdUntil` (the program's `redemptions.holdMinutes`, " +
                "or the request's shorter `holdMinutes`): points and stock are held, then confirmed or cancelled; an expired hold releases by itself. " +
                "Codes and vouchers are revealed once confirmed.");
        member.MapGet("/", ListMemberRedemptions)
            .WithName(nameof(ListMemberRedemptions))
            .RequireAuthorization(Policies.MemberRead)
            .WithSummary("The member's redemptions, newest first")
            .WithDescription(Paging.Description);
        member.MapGet("/{redemptionId}", GetMemberRedemption)
            .WithName(nameof(GetMemberRedemption))
            .RequireAuthorization(Policies.MemberRead)
            .WithSummary("One of the member's redemptions");
        member.MapPost("/{redemptionId}/confirm", Confirm)
            .WithName(nameof(Confirm))
            .RequireAuthorization(Policies.MemberAct)
            .WithSummary("Confirm a reserved redemption before its hold expires")
            .WithDescription("The held points are spent for good, codes and vouchers are revealed, a perk is granted, a physical reward " +
                "waits for its delivery (`fulfilment: pending`). 409 with `state` when it is not reserved any more (an expired hold is `expired`).");
        member.MapPost("/{redemptionId}/cancel", Cancel)
            .WithName(nameof(Cancel))
            .RequireAuthorization(Policies.MemberAct)
            .WithSummary("Cancel a reserved or confirmed redemption: points back to the lots they came from, stock back")
            .WithDescription("The refund returns the points to the lots they were taken from, with their original expiry dates (ledger " +
                "`refund`). A code or voucher already revealed is voided, never handed out again; an unrevealed one goes back to the pool. " +
                "A perk granted by it and not used yet is withdrawn. 409 with `state` for a fulfilled, cancelled or expired redemption.");

        var program = app.MapGroup("/v1/programs/{programId}/redemptions").WithTags("Redemptions").RequireProgram();
        program.MapGet("/", ListRedemptions)
            .WithName(nameof(ListRedemptions))
            .RequireAuthorization(Policies.ActivitiesOrRead)
            .WithSummary("The program's redemptions, newest first")
            .WithDescription(Paging.Description);
        program.MapGet("/{redemptionId}", GetRedemption)
            .WithName(nameof(GetRedemption))
            .RequireAuthorization(Policies.ActivitiesOrRead)
            .WithSummary("One redemption of the program");
        program.MapPost("/{redemptionId}/fulfilment", SetFulfilment)
            .WithName(nameof(SetFulfilment))
            .RequireAuthorization(Policies.Activities)
            .WithSummary("Move a physical reward's delivery: shipped, delivered or failed")
            .WithDescription("pending → shipped → delivered | failed (pending → delivered | failed too). Delivered makes the redemption " +
                "`fulfilled`; after a failed delivery the brand may cancel it (refund). 409 with `state` and `fulfilment` otherwise.");
        return member;
    }

    private static string PerkCodesList() => string.Join(", ", WireCode<RedemptionRefusal>.All.Select(r => $"`{r.ToWire()}` ({RewardCodes.Explain(r)})"));

    public sealed record RedemptionList(IReadOnlyList<RedemptionView> Redemptions, long Total);

    public sealed record FulfilmentRequest([property: WireValues(typeof(FulfilmentStatus), "shipped", "delivered", "failed")] string? Status);

    private static async Task<Results<Ok<RedemptionList>, ValidationProblem, NotFoundProblem>> ListMemberRedemptions(
        string programId, string memberId, RouteProgram route, MemberStore members, RewardStore rewards, int? offset = null, int? limit = null)
    {
        var v = new Validation().CheckPage(offset, limit);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        if (!Ids.IsValidId(memberId) || await members.FindAsync(route.Program.Id, memberId) is null)
        {
            return MembersApi.MemberNotFound(memberId);
        }
        var (page, total) = await rewards.ListRedemptionsAsync(route.Program.Id, memberId, offset ?? 0, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new RedemptionList(page, total));
    }

    private static async Task<Results<Ok<RedemptionView>, NotFoundProblem>> GetMemberRedemption(
        string programId, string memberId, string redemptionId, RouteProgram route, RewardStore rewards)
    {
        var view = Ids.IsValidGeneratedId(redemptionId) ? await rewards.FindRedemptionAsync(route.Program.Id, redemptionId) : null;
        return view is null || view.MemberId != memberId ? RedemptionNotFound() : TypedResults.Ok(view);
    }

    private static Task<Results<Ok<RedemptionView>, NotFoundProblem, ConflictProblem, ProblemHttpResult>> Confirm(
        string programId, string memberId, string redemptionId, ClaimsPrincipal user, RouteProgram route, RewardStore rewards, TimeProvider clock) =>
        MoveAsync(route.Program, memberId, redemptionId, RedemptionAction.Confirm, user, rewards, clock);

    private static Task<Results<Ok<RedemptionView>, NotFoundProblem, ConflictProblem, ProblemHttpResult>> Cancel(
        string programId, string memberId, string redemptionId, ClaimsPrincipal user, RouteProgram route, RewardStore rewards, TimeProvider clock) =>
        MoveAsync(route.Program, memberId, redemptionId, RedemptionAction.Cancel, user, rewards, clock);

    private static async Task<Results<Ok<RedemptionView>, NotFoundProblem, ConflictProblem, ProblemHttpResult>> MoveAsync(ProgramSnapshot program,
        string memberId, string redemptionId, RedemptionAction action, ClaimsPrincipal user, RewardStore rewards, TimeProvider clock)
    {
        if (user.IsMemberToken() && !(program.Definition.Redemptions ?? new RedemptionSettings()).MembersMayRedeem)
        {
            return RedeemReward.MembersMayNotRedeem();
        }
        if (!Ids.IsValidGeneratedId(redemptionId) || !Ids.IsValidId(memberId))
        {
            return RedemptionNotFound();
        }
        var (result, view, state, fulfilment) = await rewards.ChangeAsync(program, memberId, redemptionId, action, clock.GetUtcNow());
        return result switch
        {
            ChangeResult.Done => TypedResults.Ok(view!),
            ChangeResult.Missing => RedemptionNotFound(),
            ChangeResult.State => StateConflict(action, state!.Value, fulfilment),
        };
    }

    private static async Task<Results<Ok<RedemptionList>, ValidationProblem>> ListRedemptions(string programId, RouteProgram route, RewardStore rewards,
        int? offset = null, int? limit = null)
    {
        var v = new Validation().CheckPage(offset, limit);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var (page, total) = await rewards.ListRedemptionsAsync(route.Program.Id, null, offset ?? 0, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new RedemptionList(page, total));
    }

    private static async Task<Results<Ok<RedemptionView>, NotFoundProblem>> GetRedemption(string programId, string redemptionId, RouteProgram route,
        RewardStore rewards)
    {
        var view = Ids.IsValidGeneratedId(redemptionId) ? await rewards.FindRedemptionAsync(route.Program.Id, redemptionId) : null;
        return view is null ? RedemptionNotFound() : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<RedemptionView>, ValidationProblem, NotFoundProblem, ConflictProblem>> SetFulfilment(
        string programId, string redemptionId, FulfilmentRequest request, RouteProgram route, RewardStore rewards, TimeProvider clock)
    {
        RedemptionAction? action = request.Status switch
        {
            "shipped" => RedemptionAction.Shipped,
            "delivered" => RedemptionAction.Delivered,
            "failed" => RedemptionAction.Failed,
            _ => null,
        };
        if (action is null)
        {
            return Problems.Invalid("status", Problems.InvalidOrRequired(request.Status, "shipped, delivered or failed."));
        }
        if (!Ids.IsValidGeneratedId(redemptionId))
        {
            return RedemptionNotFound();
        }
        var (result, view, state, fulfilment) = await rewards.ChangeAsync(route.Program, null, redemptionId, action.Value, clock.GetUtcNow());
        return result switch
        {
            ChangeResult.Done => TypedResults.Ok(view!),
            ChangeResult.Missing => RedemptionNotFound(),
            ChangeResult.State => StateConflict(action.Value, state!.Value, fulfilment),
        };
    }

    private static ConflictProblem StateConflict(RedemptionAction action, RedemptionState state, FulfilmentStatus? fulfilment)
    {
        var what = action switch
        {
            RedemptionAction.Confirm => "Only a reserved redemption, before its hold expires, can be confirmed",
            RedemptionAction.Cancel => "Only a reserved or confirmed redemption can be cancelled",
            RedemptionAction.Shipped or RedemptionAction.Delivered or RedemptionAction.Failed =>
                "Only a confirmed physical reward's delivery moves, pending → shipped → delivered | failed",
        };
        var extensions = new Dictionary<string, object?> { ["state"] = state.ToWire() };
        if (fulfilment is { } f)
        {
            extensions["fulfilment"] = f.ToWire();
        }
        return new ConflictProblem($"{what}; this one is {state.ToWire()}{(fulfilment is { } g ? $" (delivery {g.ToWire()})" : "")}.",
            "Conflict", null, extensions);
    }

    public static NotFoundProblem RedemptionNotFound() => Problems.NotFound("No such redemption (for this member) in this program.");
}
