using Microsoft.AspNetCore.Http.HttpResults;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Api.Features.Perks;

/// <summary>Marketers schedule perks for an audience; Hangfire grants them.</summary>
public static class PerksApi
{
    public static IServiceCollection AddPerksFeature(this IServiceCollection services) =>
        services.AddSingleton<PerkStore>().AddSingleton<PerkGrantJob>().AddSingleton<PerkScheduler>();

    public static RouteGroupBuilder MapPerksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/programs/{programId}/perks")
            .RequireProgram()
            .WithTags("Perks")
            .RequireAuthorization(Policies.Perks);

        group.MapPost("/", CreatePerk)
            .WithName(nameof(CreatePerk))
            .WithSummary("Schedule a perk for an audience")
            .WithDescription($"Kinds: {PerkCodes.List<PerkKind>(PerkCodes.Explain)}. " +
                $"Audience types: {PerkCodes.List<AudienceType>(PerkCodes.Explain)}. " +
                $"Schedule types: {PerkCodes.List<ScheduleType>(PerkCodes.Explain)}. Each member gets a run's grant exactly once.");
        group.MapGet("/", ListPerks)
            .WithName(nameof(ListPerks))
            .WithSummary("List the program's perks with their figures");
        group.MapGet("/{perkId}", GetPerk)
            .WithName(nameof(GetPerk))
            .WithSummary("A perk with its figures: granted, claimed, accepted, waitlisted, next run, last run");
        group.MapPatch("/{perkId}", PatchPerk)
            .WithName(nameof(PatchPerk))
            .WithSummary("Pause or resume a perk")
            .WithDescription("`{ \"status\": \"paused\" }` stops future runs; `{ \"status\": \"active\" }` resumes them.");
        group.MapDelete("/{perkId}", DeletePerk)
            .WithName(nameof(DeletePerk))
            .WithSummary("Delete a perk: no more runs, gone from member inboxes");
        group.MapPost("/{perkId}/codes", AddCodes)
            .WithName(nameof(AddCodes))
            .WithSummary("Add codes to an offer's pool");
        return group;
    }

    public sealed record PerkStatusRequest([property: WireValues(typeof(PerkStatus), "paused", "active")] string? Status);

    public sealed record CodesRequest(string[]? Codes);

    public sealed record PerkList(IReadOnlyList<PerkView> Perks);

    private static async Task<Results<Created<PerkView>, ValidationProblem>> CreatePerk(
        string programId, CreatePerkRequest request, RouteProgram route, PerkStore perks, PerkScheduler scheduler, TimeProvider clock)
    {
        var program = route.Program;
        var (perk, codes, errors) = PerkRules.Validate(request, program, clock.GetUtcNow());
        if (perk is null)
        {
            return errors.ToProblem();
        }
        await perks.CreateAsync(program.Id, perk, codes);
        scheduler.Start(program.Id, perk);
        return TypedResults.Created($"/v1/programs/{program.Id}/perks/{perk.PerkId}", (await perks.FindAsync(program.Id, perk.PerkId))!);
    }

    private static async Task<Ok<PerkList>> ListPerks(string programId, RouteProgram route, PerkStore perks) =>
        TypedResults.Ok(new PerkList(await perks.ListAsync(route.Program.Id)));

    private static async Task<Results<Ok<PerkView>, NotFoundProblem>> GetPerk(string programId, string perkId, RouteProgram route, PerkStore perks)
    {
        var view = Ids.IsValidGeneratedId(perkId) ? await perks.FindAsync(programId, perkId) : null;
        return view is null ? PerkNotFound() : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<PerkView>, ValidationProblem, NotFoundProblem>> PatchPerk(
        string programId, string perkId, PerkStatusRequest request, RouteProgram route, PerkStore perks, PerkScheduler scheduler)
    {
        if (!WireCode<PerkStatus>.TryParse(request.Status, out var status) || status is not (PerkStatus.Paused or PerkStatus.Active))
        {
            return Problems.Invalid("status", "Required: paused or active.");
        }
        var found = Ids.IsValidGeneratedId(perkId) ? await perks.FindDefinitionAsync(programId, perkId) : null;
        if (found is not var (perk, _))
        {
            return PerkNotFound();
        }
        await perks.SetStatusAsync(programId, perkId, status);
        if (status == PerkStatus.Paused)
        {
            scheduler.Stop(programId, perk);
        }
        else if (perk.Schedule.Type == ScheduleType.Cron)
        {
            scheduler.Start(programId, perk);
        }
        return TypedResults.Ok((await perks.FindAsync(programId, perkId))!);
    }

    private static async Task<Results<NoContent, NotFoundProblem>> DeletePerk(
        string programId, string perkId, RouteProgram route, PerkStore perks, PerkScheduler scheduler)
    {
        var found = Ids.IsValidGeneratedId(perkId) ? await perks.FindDefinitionAsync(programId, perkId) : null;
        if (found is not var (perk, _))
        {
            return PerkNotFound();
        }
        await perks.SetStatusAsync(programId, perkId, PerkStatus.Deleted);
        scheduler.Stop(programId, perk);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<PerkView>, ValidationProblem, NotFoundProblem, ConflictProblem>> AddCodes(
        string programId, string perkId, CodesRequest request, RouteProgram route, PerkStore perks)
    {
        var codes = request.Codes ?? [];
        if (codes.Length is 0 or > PerkLimits.MaxCodesPerRequest || !codes.All(PerkRules.IsValidCode) || codes.Distinct().Count() != codes.Length)
        {
            return Problems.Invalid("codes", $"1 to {PerkLimits.MaxCodesPerRequest:N0} unique codes of 1–{PerkLimits.MaxCodeLength} characters of A–Z, a–z, 0–9, '-', '_', '.'.");
        }
        var found = Ids.IsValidGeneratedId(perkId) ? await perks.FindDefinitionAsync(programId, perkId) : null;
        if (found is not var (perk, _))
        {
            return PerkNotFound();
        }
        if (perk.Kind != PerkKind.Offer)
        {
            return Problems.Conflict("Only offers have codes.");
        }
        await perks.AddCodesAsync(programId, perkId, codes);
        return TypedResults.Ok((await perks.FindAsync(programId, perkId))!);
    }

    public static NotFoundProblem PerkNotFound() => Problems.NotFound("No such perk in this program.");
}
