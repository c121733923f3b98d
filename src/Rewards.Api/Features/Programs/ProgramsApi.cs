using Microsoft.AspNetCore.Cors.Infrastructure;
using Rewards.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Rewards.Api.Features.Gamification;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Api.Features.Programs;

public static class ProgramsApi
{
    public static IServiceCollection AddProgramsFeature(this IServiceCollection services) =>
        services.AddSingleton<ProgramStore>().AddCors().AddSingleton<ICorsPolicyProvider, ProgramCorsPolicyProvider>();

    /// <summary>CORS from each program's allowed origins; before authentication, so that preflights need no token.</summary>
    public static WebApplication UseProgramCors(this WebApplication app)
    {
        app.UseCors();
        return app;
    }

    public static RouteGroupBuilder MapProgramsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/programs").WithTags("Programs");

        group.MapPost("/", CreateProgram)
            .WithName(nameof(CreateProgram))
            .RequireAuthorization(Policies.Admin)
            .WithSummary("Create a program")
            .WithDescription("Creates a brand community with its time zone and earning rules per activity type.");
        group.MapGet("/", ListPrograms)
            .WithName(nameof(ListPrograms))
            .RequireAuthorization(Policies.Admin)
            .WithSummary("List the programs, newest first (operator)")
            .WithDescription("Each with its id, name, time zone and creation time. " + Paging.Description);
        group.MapGet("/{programId}", GetProgram)
            .WithName(nameof(GetProgram))
            .RequireAuthorization(Policies.ProgramRead)
            .WithSummary("Get a program's settings");
        group.MapPut("/{programId}", UpdateProgram)
            .WithName(nameof(UpdateProgram))
            .RequireAuthorization(Policies.Admin)
            .WithSummary("Replace a program's settings")
            .WithDescription("Replaces name, time zone and earning rules. New rules apply to activities recorded afterwards only.");
        app.MapGroup("/v1/programs/{programId}").WithTags("Programs").RequireProgram()
            .MapGet("/card", ProgramCardApi.Handle)
            .WithName("GetProgramCard")
            .RequireAuthorization(Policies.MemberRead)
            .WithSummary("The program's public card: how to earn, tiers, badges, leaderboards")
            .WithDescription("For apps and brand sites (member tokens or `rewards.read`): activity types with their points, caps, cooldown and " +
                "approval, the tier ladder, the badge catalogue with criteria and the leaderboards with their windows. No client list, no " +
                "CORS origins, no anti-gaming thresholds.");
        return group;
    }

    public sealed record ProgramResponse(
        string Id, string Name, string TimeZone, IReadOnlyDictionary<string, EarningRule> Rules, int LeaderboardRetention,
        IReadOnlyList<Tier> Tiers, IReadOnlyList<Badge> Badges, VelocityRule? Velocity, CorsSettings Cors, DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt)
    {
        public static ProgramResponse From(ProgramSnapshot p) =>
            new(p.Id, p.Definition.Name, p.Definition.TimeZone, p.Definition.Rules, p.Definition.LeaderboardRetention,
                p.Definition.Tiers ?? [], p.Definition.Badges ?? [], p.Definition.Velocity, p.Definition.Cors ?? new CorsSettings([]),
                p.CreatedAt, p.UpdatedAt);
    }

    private static async Task<Results<Created<ProgramResponse>, ValidationProblem, ConflictProblem>> CreateProgram(
        ProgramRequest request, ProgramStore programs)
    {
        var (definition, errors) = ProgramRules.Validate(request, routeId: null);
        if (definition is null)
        {
            return errors.ToProblem();
        }
        var (outcome, saved) = await programs.SaveAsync(definition, create: true);
        if (outcome == SaveOutcome.AlreadyExists)
        {
            return Problems.Conflict($"Program '{definition.Id}' already exists.");
        }
        return TypedResults.Created($"/v1/programs/{definition.Id}", ProgramResponse.From(saved!));
    }

    public sealed record ProgramSummary(string Id, string Name, string TimeZone, DateTimeOffset CreatedAt);

    public sealed record ProgramList(IReadOnlyList<ProgramSummary> Programs, long Total);

    private static async Task<Results<Ok<ProgramList>, ValidationProblem>> ListPrograms(ProgramStore programs, int? offset = null, int? limit = null)
    {
        var v = new Validation().CheckPage(offset, limit);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var (page, total) = await programs.ListAsync(offset ?? 0, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new ProgramList(page, total));
    }

    private static async Task<Results<Ok<ProgramResponse>, NotFoundProblem>> GetProgram(string programId, ProgramStore programs)
    {
        var program = await programs.FindAsync(programId, reload: true);
        return program is null ? ProgramNotFound(programId) : TypedResults.Ok(ProgramResponse.From(program));
    }

    private static async Task<Results<Ok<ProgramResponse>, ValidationProblem, NotFoundProblem>> UpdateProgram(
        string programId, ProgramRequest request, ProgramStore programs)
    {
        if (!Ids.IsValidId(programId))
        {
            return ProgramNotFound(programId);
        }
        var (definition, errors) = ProgramRules.Validate(request, programId);
        if (definition is null)
        {
            return errors.ToProblem();
        }
        var (outcome, saved) = await programs.SaveAsync(definition, create: false);
        return outcome == SaveOutcome.Missing ? ProgramNotFound(programId) : TypedResults.Ok(ProgramResponse.From(saved!));
    }

    public static NotFoundProblem ProgramNotFound(string programId) =>
        Problems.NotFound($"No program '{(Ids.IsValidId(programId) ? programId : "(invalid id)")}'.");
}
