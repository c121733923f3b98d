using Microsoft.AspNetCore.Http.HttpResults;
using Rewards.Api.Features.Members;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Errors;
using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Lots;

/// <summary>Points that expire by lots (docs/points-expiry.md): upcoming expiries and manual adjustments of a member.</summary>
public static class LotsApi
{
    public static IServiceCollection AddLotsFeature(this IServiceCollection services) =>
        services.AddSingleton<LotStore>().AddSingleton<LotExpiryJob>().AddSingleton<AdjustmentStore>()
            .AddOptions<AdjustmentOptions>().BindConfiguration(AdjustmentOptions.Section)
            .Validate(o => o.DailyCapPerClient is >= 0, "Rewards:Adjustments:DailyCapPerClient must be 0 or more.").ValidateOnStart().Services;

    public static RouteGroupBuilder MapLotsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/programs/{programId}/members").WithTags("Points").RequireProgram();
        group.MapGet("/{memberId}/expiring", GetExpiring)
            .WithName(nameof(GetExpiring))
            .RequireAuthorization(Policies.MemberRead)
            .WithSummary("A member's upcoming point expiries, soonest first")
            .WithDescription("One item per lot: the last local day its points can be spent (`expiresOn`), the instant they expire " +
                "(`expiresAt`, the local midnight ending that day in the program's time zone) and how many. Empty when the program's " +
                "`pointsExpiry` is `none` and no lot was made under an earlier policy. " + Paging.Description);
        group.MapPost("/{memberId}/adjustments", AdjustPoints.Handle)
            .WithName("AdjustPoints")
            .RequireAuthorization(Policies.Activities)
            .WithSummary("Adjust a member's points by hand (goodwill, correction, migration), audited")
            .WithDescription(AdjustPoints.Description);
        return group;
    }

    /// <param name="NextOffset">Where the next page starts (`offset`); null when the list is done.</param>
    public sealed record ExpiringList(IReadOnlyList<UpcomingExpiry> Expiries, long Total, long? NextOffset);

    private static async Task<Results<Ok<ExpiringList>, ValidationProblem, NotFoundProblem>> GetExpiring(
        string programId, string memberId, RouteProgram route, MemberStore members, LotStore lots, int? offset = null, int? limit = null)
    {
        var v = new Validation().CheckPage(offset, limit);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        if (!Ids.IsValidId(memberId) || await members.FindAsync(programId, memberId) is null)
        {
            return MembersApi.MemberNotFound(memberId);
        }
        var all = await lots.LotsAsync(route.Program, memberId);
        int from = offset ?? 0, count = limit ?? Paging.DefaultLimit;
        return TypedResults.Ok(new ExpiringList([.. all.Skip(from).Take(count)], all.Count, from + count < all.Count ? from + count : null));
    }
}
