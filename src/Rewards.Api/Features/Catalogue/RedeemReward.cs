using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Rewards.Api.Features.Activities;
using Rewards.Api.Features.Members;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Errors;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Catalogue;

/// <summary>`hold`: reserve (points and stock held until `holdUntil`) and confirm or cancel later; `holdMinutes` shortens the program's hold.</summary>
public sealed record RedeemRequest(string? RewardId, int? Quantity = null, bool? Hold = null, int? HoldMinutes = null);

/// <summary>
/// A member spends points on a reward. Everything is decided and written by one run of redeem.lua; this class validates,
/// resolves the local periods, the hold's expiry and the vouchers, and turns the script's answer into HTTP.
/// </summary>
public static class RedeemReward
{
    private const int VoucherAttempts = 3;

    public static async Task<Results<Created<RedemptionView>, ValidationProblem, NotFoundProblem, ConflictProblem, UnprocessableProblem, ProblemHttpResult>> Handle(
        string programId, string memberId, RedeemRequest request,
        [FromHeader(Name = RecordActivity.IdempotencyHeader)] string? idempotencyKey,
        HttpResponse response, ClaimsPrincipal user, RouteProgram route, RewardStore rewards, TimeProvider clock)
    {
        var program = route.Program;
        var settings = program.Definition.Redemptions ?? new RedemptionSettings();
        if (user.IsMemberToken() && !settings.MembersMayRedeem)
        {
            return MembersMayNotRedeem();
        }
        var v = new Validation()
            .Expect(idempotencyKey, Ids.IsValidIdempotencyKey(idempotencyKey), RecordActivity.IdempotencyHeader,
                $"1–{Ids.MaxIdempotencyKeyLength} printable ASCII characters.")
            .Expect(request.RewardId, Ids.IsValidGeneratedId(request.RewardId), "rewardId", "the id of a reward of the catalogue.")
            .Check(request.Quantity is null or >= 1 and <= RewardLimits.MaxQuantity, "quantity", $"When given: 1 to {RewardLimits.MaxQuantity} (default 1).")
            .Check(request.HoldMinutes is null || request.Hold == true, "holdMinutes", "Only with \"hold\": true.")
            .Check(request.HoldMinutes is null || (request.HoldMinutes >= 1 && request.HoldMinutes <= settings.HoldMinutes), "holdMinutes",
                $"When given: 1 to {settings.HoldMinutes} minutes (the program's hold).");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        if (!Ids.IsValidId(memberId))
        {
            return MembersApi.MemberNotFound(memberId);
        }
        var now = clock.GetUtcNow();
        var quantity = request.Quantity ?? 1;
        var holdUntil = request.Hold == true ? now.AddMinutes(request.HoldMinutes ?? settings.HoldMinutes) : (DateTimeOffset?)null;
        // The key's hash is taken apart from activities' ("redemption\n" first): one key may serve an activity and a redemption.
        var command = new RedeemCommand(program, Hash("redemption\n" + idempotencyKey!),
            Hash($"{memberId}\n{request.RewardId}\n{quantity}\n{request.Hold == true}\n{request.HoldMinutes}"), memberId, request.RewardId!,
            quantity, holdUntil, now, user.IsMemberToken() ? "member" : user.ClientIdOf() ?? "");
        for (var attempt = 1; ; attempt++)
        {
            var vouchers = string.Join(',', Enumerable.Range(0, quantity).Select(_ => RewardRules.NewVoucher()));
            var (result, view, refusal) = await rewards.RedeemAsync(command, vouchers);
            switch (result)
            {
                case RedeemResult.Created:
                    return TypedResults.Created(Location(program.Id, view!), view);
                case RedeemResult.Replayed:
                    response.Headers[RecordActivity.ReplayedHeader] = "true";
                    return TypedResults.Created(Location(program.Id, view!), view);
                case RedeemResult.Conflict:
                    return Problems.Conflict($"The {RecordActivity.IdempotencyHeader} was already used with a different request body.");
                case RedeemResult.MemberMissing:
                    return MembersApi.MemberNotFound(memberId);
                case RedeemResult.RewardMissing:
                    return RewardsApi.RewardNotFound();
                case RedeemResult.OnePerk:
                    return Problems.Invalid("quantity", "Invalid: a perk reward is redeemed one at a time (quantity 1).");
                case RedeemResult.Refused:
                    var refused = Refused(refusal!, program, quantity);
                    if (refused is ConflictProblem conflict)
                    {
                        return conflict;
                    }
                    return (UnprocessableProblem)refused;
                case RedeemResult.VoucherTaken when attempt < VoucherAttempts:
                    continue;
                case RedeemResult.VoucherTaken:
                    throw new InvalidOperationException("Generated vouchers kept colliding with issued ones.");
            }
        }
    }

    public static ProblemHttpResult MembersMayNotRedeem() => TypedResults.Problem(
        "This program does not let members redeem with their own token: redeem through the brand's client (scope rewards.activities), " +
        "or ask the operator to set the program's `redemptions.membersMayRedeem`.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

    /// <summary>The problem for a refusal: 409 or 422 (<see cref="RewardCodes.StatusOf"/>) with `reason` and the figures behind it.</summary>
    internal static StatusProblem Refused(Refusal refusal, ProgramSnapshot program, int quantity)
    {
        var d = refusal.Details;
        var extensions = new Dictionary<string, object?> { ["reason"] = refusal.Reason.ToWire() };
        long N(int i) => long.Parse(d[i], CultureInfo.InvariantCulture);
        string detail;
        switch (refusal.Reason)
        {
            case RedemptionRefusal.InsufficientPoints:
                extensions["balance"] = N(0);
                extensions["costPoints"] = N(1);
                detail = $"The member's balance ({N(0):N0}) is below the cost ({N(1):N0} points): {N(1) - N(0):N0} more points needed.";
                break;
            case RedemptionRefusal.OutOfStock:
                extensions["stockLeft"] = N(0);
                detail = $"Only {N(0):N0} left of this reward; {quantity} asked.";
                break;
            case RedemptionRefusal.LimitReached:
                extensions["used"] = N(0);
                extensions["limit"] = N(1);
                detail = $"The member has redeemed {N(0):N0} of this reward in the limit's period, of {N(1):N0} allowed; {quantity} more asked.";
                break;
            case RedemptionRefusal.NotEligible when d[0] == "tier":
                var tier = ActivityStore.TierName(program.Definition, (int)N(1));
                extensions["minTier"] = tier;
                detail = $"This reward is for members in tier {tier ?? d[1]} or above.";
                break;
            case RedemptionRefusal.NotEligible when d[0] == "badge":
                extensions["badge"] = d[1];
                detail = $"This reward is for holders of the badge '{d[1]}'.";
                break;
            case RedemptionRefusal.NotEligible:
                extensions["perkId"] = d.ElementAtOrDefault(1);
                detail = "The member holds this reward's perk already.";
                break;
            case RedemptionRefusal.NotAvailable when d.Count > 0 && d[0] == "before":
                extensions["availableFrom"] = ProgramTime.FromUnixMs(N(1));
                detail = $"This reward is available from {ProgramTime.FromUnixMs(N(1)):O}.";
                break;
            case RedemptionRefusal.NotAvailable when d.Count > 0 && d[0] == "after":
                extensions["availableUntil"] = ProgramTime.FromUnixMs(N(1));
                detail = $"This reward was available until {ProgramTime.FromUnixMs(N(1)):O}.";
                break;
            case RedemptionRefusal.NotAvailable when d.Count > 0 && d[0] == "perk":
                detail = "This reward's perk is paused or deleted: it cannot be redeemed now.";
                break;
            case RedemptionRefusal.NotAvailable:
                detail = "This reward is not active: it cannot be redeemed now.";
                break;
            case RedemptionRefusal.MemberSuspended:
                detail = "The member is suspended: suspended members cannot redeem.";
                break;
            default:
                detail = refusal.Reason.ToWire();
                break;
        }
        var title = "Redemption refused";
        var type = $"https://rewards.local/problems/redemption/{refusal.Reason.ToWire()}";
        if (RewardCodes.StatusOf(refusal.Reason) == StatusCodes.Status409Conflict)
        {
            return new ConflictProblem(detail, title, type, extensions);
        }
        var problem = Problems.Unprocessable(detail);
        problem.Value.Title = title;
        problem.Value.Type = type;
        foreach (var (k, value) in extensions)
        {
            problem.Value.Extensions[k] = value;
        }
        return problem;
    }

    private static string Location(string programId, RedemptionView view) =>
        $"/v1/programs/{programId}/members/{view.MemberId}/redemptions/{view.RedemptionId}";

    internal static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..32];
}
