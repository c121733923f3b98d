using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Errors;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Insights;

/// <summary>The bounds of the KPI query.</summary>
public static class InsightsLimits
{
    public const int DefaultStatsDays = 7;
    public const int MaxStatsDays = 92;
}

/// <summary>The community's pulse for marketers: real-time KPIs per local day (the ambassadors: Features/Gamification).</summary>
public static class InsightsApi
{
    public static IServiceCollection AddInsightsFeature(this IServiceCollection services)
    {
        services.AddOptions<InsightsOptions>().BindConfiguration(InsightsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<InsightsStore>();
        return services;
    }

    public static RouteGroupBuilder MapInsightsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/programs/{programId}").WithTags("Insights").RequireAuthorization(Policies.Insights).RequireProgram();
        group.MapGet("/stats", GetStats)
            .WithName(nameof(GetStats))
            .WithSummary("KPIs per local day and totals")
            .WithDescription("Interactions per activity type (awarded, pending, rejected), unique active members, new members, points issued " +
                $"and reversed, perks granted, claimed and accepted. `from`/`to`: local dates (default: the last {InsightsLimits.DefaultStatsDays} days), " +
                $"at most {InsightsLimits.MaxStatsDays} days. Counters are written by the award script, so an award shows at once; they are kept " +
                "Rewards:Insights:RetentionDays (400 by default).");
        return group;
    }

    private static async Task<Results<Ok<StatsReport>, ValidationProblem>> GetStats(
        string programId, RouteProgram route, InsightsStore insights, TimeProvider clock, string? from = null, string? to = null)
    {
        var program = route.Program;
        var today = ProgramTime.LocalDate(clock.GetUtcNow(), program.Zone);
        var v = new Validation();
        var toDate = ParseDate(to, today, "to", v);
        var fromDate = ParseDate(from, toDate.AddDays(1 - InsightsLimits.DefaultStatsDays), "from", v);
        v.Check(fromDate <= toDate && toDate.DayNumber - fromDate.DayNumber < InsightsLimits.MaxStatsDays, "from",
            $"from ≤ to, at most {InsightsLimits.MaxStatsDays} days.");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        return TypedResults.Ok(await insights.StatsAsync(program, fromDate, toDate));
    }

    private static DateOnly ParseDate(string? value, DateOnly fallback, string field, Validation v)
    {
        if (value is null)
        {
            return fallback;
        }
        if (value.Length == 10 && DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date.Year >= 2000)
        {
            return date;
        }
        v.Add(field, "A local date such as 2026-11-22.");
        return fallback;
    }
}
