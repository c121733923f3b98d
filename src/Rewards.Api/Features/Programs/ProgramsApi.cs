using Microsoft.AspNetCore.Cors.Infrastructure;
using Rewards.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Rewards.Api.Features.Gamification;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Errors;
using Rewards.Api.Infrastructure.OpenApi;

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
            .WithDescription("Creates a brand community with its time zone and earning rules per activity type. `pointsExpiry`: when " +
                "points expire (`none` by default, `P12M`, `endOf:year+1`...); `expiringNoticeDays` (1 to 90; 0 or absent: off): how " +
                "many days ahead the `points.expiring` event announces points about to expire, each lot once.");
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
            .RequireAuthorization(Policies.ProgramOwner)
            .WithSummary("Replace a program's settings")
            .WithDescription("Replaces every setting: fields left out take their defaults (no tiers, no badges...). New rules apply to " +
                "activities recorded afterwards only. To change one field, PATCH.");
        group.MapPatch("/{programId}", PatchProgram)
            .WithName(nameof(PatchProgram))
            .RequireAuthorization(Policies.ProgramOwner)
            // Documented, not matched: a body of another type reaches the handler, whose 415 says what to send.
            .WithMetadata(new DocumentedRequestBody(typeof(ProgramRequest), ProgramMergePatch.ContentType))
            .WithSummary("Change some of a program's settings (JSON Merge Patch)")
            .WithDescription($"RFC 7396, `Content-Type: {ProgramMergePatch.ContentType}`: members of the body replace the stored ones, " +
                "objects merge (`{\"rules\": {\"review\": {\"points\": 80}}}` changes one rule and keeps the others and the tiers), " +
                "`null` removes a member (a rule, a cap), arrays (tiers, badges) replace the whole list. The result is validated like a PUT. " +
                "A removed activity type earns nothing from then on; its boards stay readable until leaderboard retention ends " +
                "(listed in `removedTypes`).");
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

    /// <param name="ExpiringNoticeDays">How many days before points expire the 'points.expiring' event announces them (0: off).</param>
    public sealed record ProgramResponse(
        string Id, string Name, string TimeZone, IReadOnlyDictionary<string, EarningRule> Rules, int LeaderboardRetention,
        IReadOnlyList<Tier> Tiers, IReadOnlyList<Badge> Badges, VelocityRule? Velocity, CorsSettings Cors,
        IReadOnlyDictionary<string, DateTimeOffset> RemovedTypes, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string PointsExpiry,
        RedemptionSettings Redemptions, int ExpiringNoticeDays)
    {
        public static ProgramResponse From(ProgramSnapshot p) =>
            new(p.Id, p.Definition.Name, p.Definition.TimeZone, p.Definition.Rules, p.Definition.LeaderboardRetention,
                p.Definition.Tiers ?? [], p.Definition.Badges ?? [], p.Definition.Velocity, p.Definition.Cors ?? new CorsSettings([]),
                p.Definition.RemovedTypes ?? new Dictionary<string, DateTimeOffset>(), p.CreatedAt, p.UpdatedAt, p.Expiry.Text,
                p.Definition.Redemptions ?? new RedemptionSettings(), p.Definition.ExpiringNoticeDays ?? 0);
    }

    private static async Task<Results<Created<ProgramResponse>, ValidationProblem, ConflictProblem>> CreateProgram(
        ProgramRequest request, ProgramStore programs)
    {
        var (definition, errors) = ProgramRules.Validate(request, routeId: null);
        if (definition is null)
        {
            return errors.ToProblem();
        }
        var (outcome, saved) = await programs.CreateAsync(definition);
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

    private static async Task<Results<Ok<ProgramResponse>, ValidationProblem, NotFoundProblem, ConflictProblem>> UpdateProgram(
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
        return Saved(programId, await programs.UpdateAsync(programId, _ => (definition, errors)));
    }

    private static async Task<Results<Ok<ProgramResponse>, ValidationProblem, NotFoundProblem, ConflictProblem, UnsupportedMediaTypeProblem>> PatchProgram(
        string programId, HttpRequest http, ProgramStore programs)
    {
        if (!ProgramMergePatch.IsMergePatch(http.ContentType))
        {
            return Problems.UnsupportedMediaType(
                $"A JSON Merge Patch (RFC 7396) is sent with 'Content-Type: {ProgramMergePatch.ContentType}'; to replace every setting, PUT application/json.");
        }
        if (!Ids.IsValidId(programId))
        {
            return ProgramNotFound(programId);
        }
        var (patch, readError) = await ProgramMergePatch.ReadAsync(http);
        if (patch is null)
        {
            return Problems.Invalid("body", readError!);
        }
        var result = await programs.UpdateAsync(programId, current => ProgramMergePatch.Apply(current, patch, programId));
        return result.Outcome switch
        {
            SaveOutcome.Saved => TypedResults.Ok(ProgramResponse.From(result.Program!)),
            SaveOutcome.Invalid => result.Errors!.ToProblem(),
            SaveOutcome.Conflict => UpdateConflict(),
            _ => ProgramNotFound(programId),
        };
    }

    private static Results<Ok<ProgramResponse>, ValidationProblem, NotFoundProblem, ConflictProblem> Saved(
        string programId, (SaveOutcome Outcome, ProgramSnapshot? Program, Validation? Errors) result) => result.Outcome switch
    {
        SaveOutcome.Saved => TypedResults.Ok(ProgramResponse.From(result.Program!)),
        SaveOutcome.Invalid => result.Errors!.ToProblem(),
        SaveOutcome.Conflict => UpdateConflict(),
        _ => ProgramNotFound(programId),
    };

    private static ConflictProblem UpdateConflict() =>
        Problems.Conflict("The program's settings kept changing while this update was applied; send it again.");

    public static NotFoundProblem ProgramNotFound(string programId) =>
        Problems.NotFound($"No program '{(Ids.IsValidId(programId) ? programId : "(invalid id)")}'.");
}
