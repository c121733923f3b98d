using Microsoft.AspNetCore.Http.HttpResults;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Api.Features.Quotas;

/// <summary>The operator reads and overrides a program's quotas (defaults come from configuration, Rewards:Quotas).</summary>
public static class QuotasApi
{
    public static IServiceCollection AddQuotasFeature(this IServiceCollection services)
    {
        services.AddOptions<QuotasOptions>().BindConfiguration(QuotasOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services.AddSingleton<QuotaStore>();
    }

    public static RouteGroupBuilder MapQuotasApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/programs/{programId}/quotas")
            .RequireProgram()
            .WithTags("Quotas")
            .RequireAuthorization(Policies.Admin);

        group.MapGet("/", GetQuotas)
            .WithName(nameof(GetQuotas))
            .WithSummary("A program's quotas: in force, the configured defaults, and the operator's overrides")
            .WithDescription("Operator only. Requests that would exceed a quota are refused with 409 and a problem naming the quota " +
                "(`quota`), its `limit` and what the request needed (`requested`); nothing is changed.");
        group.MapPut("/", PutQuotas)
            .WithName(nameof(PutQuotas))
            .WithSummary("Override a program's quotas")
            .WithDescription("Operator only. Replaces the overrides: a field left out (or null) goes back to the configured default. " +
                "Lowering a quota below current usage refuses new additions only; nothing existing is removed.");
        return group;
    }

    public sealed record QuotasResponse(ProgramQuotas Quotas, ProgramQuotas Defaults, QuotaOverrides Overrides);

    private static async Task<Ok<QuotasResponse>> GetQuotas(string programId, RouteProgram route, QuotaStore quotas)
    {
        var (inForce, overrides) = await quotas.FindAsync(route.Program.Id);
        return TypedResults.Ok(new QuotasResponse(inForce, quotas.Defaults, overrides));
    }

    private static async Task<Results<Ok<QuotasResponse>, ValidationProblem>> PutQuotas(
        string programId, QuotaOverrides request, RouteProgram route, QuotaStore quotas)
    {
        var v = new Validation()
            .Check(request.MaxPerks is null or >= 1 and <= QuotaRanges.MaxPerks, QuotaNames.MaxPerks, $"When given: 1 to {QuotaRanges.MaxPerks:N0}.")
            .Check(request.MaxCodesPerPool is null or >= 1 and <= QuotaRanges.MaxCodesPerPool, QuotaNames.MaxCodesPerPool,
                $"When given: 1 to {QuotaRanges.MaxCodesPerPool:N0}.")
            .Check(request.MaxCodesPerRequest is null or >= 1 and <= QuotaRanges.MaxCodesPerRequest, QuotaNames.MaxCodesPerRequest,
                $"When given: 1 to {QuotaRanges.MaxCodesPerRequest:N0}.")
            .Check(request.MaxClients is null or >= 1 and <= QuotaRanges.MaxClients, QuotaNames.MaxClients, $"When given: 1 to {QuotaRanges.MaxClients:N0}.")
            .Check(request.MinCronIntervalMinutes is null or >= 1 and <= QuotaRanges.MaxMinCronIntervalMinutes, QuotaNames.MinCronIntervalMinutes,
                $"When given: 1 to {QuotaRanges.MaxMinCronIntervalMinutes:N0} minutes.");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var (inForce, overrides) = await quotas.SaveAsync(route.Program.Id, request);
        return TypedResults.Ok(new QuotasResponse(inForce, quotas.Defaults, overrides));
    }
}
