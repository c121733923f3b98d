using Microsoft.AspNetCore.Http.HttpResults;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Api.Features.Gamification;

/// <summary>The members who contribute most: for marketers, so listed with the KPIs (tag Insights, perks scope).</summary>
public static class AmbassadorsApi
{
    public static IServiceCollection AddGamificationFeature(this IServiceCollection services) =>
        services.AddSingleton<AmbassadorStore>();

    public static RouteGroupBuilder MapAmbassadorsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/programs/{programId}").WithTags("Insights").RequireAuthorization(Policies.Insights).RequireProgram();
        group.MapGet("/ambassadors", GetAmbassadors)
            .WithName(nameof(GetAmbassadors))
            .WithSummary("The members who contribute most over a rolling window")
            .WithDescription("Score: awarded points over the last `days` local days including today (awards and approvals count on the " +
                "activity's day, reversals subtract). Flagged, suspended and erased members are left out. Each comes with their contribution mix.");
        return group;
    }

    private static async Task<Results<Ok<AmbassadorReport>, ValidationProblem>> GetAmbassadors(
        string programId, RouteProgram route, AmbassadorStore ambassadors, int? days = null, int? limit = null)
    {
        var v = new Validation()
            .Check(days is null or >= 1 and <= GamificationLimits.MaxAmbassadorDays, "days", $"1 to {GamificationLimits.MaxAmbassadorDays}.")
            .Check(limit is null or >= 1 and <= GamificationLimits.MaxAmbassadors, "limit", $"1 to {GamificationLimits.MaxAmbassadors}.");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        return TypedResults.Ok(await ambassadors.TopAsync(route.Program, days ?? GamificationLimits.DefaultAmbassadorDays,
            limit ?? GamificationLimits.DefaultAmbassadors));
    }
}
