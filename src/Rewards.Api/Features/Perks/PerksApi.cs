using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Rewards.Api.Features.Programs;
using Rewards.Api.Features.Quotas;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Api.Features.Perks;

/// <summary>Marketers schedule perks for an audience; Hangfire grants them.</summary>
public static class PerksApi
{
    public static IServiceCollection AddPerksFeature(this IServiceCollection services) =>
        services.AddSingleton<PerkStore>().AddSingleton<PerkGrantJob>().AddSingleton<PerkScheduler>().AddSingleton<PerkCleanupJob>()
            .AddSingleton<PerkIndexUpgrade>().AddHostedService(sp => sp.GetRequiredService<PerkIndexUpgrade>());

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
                $"Schedule types: {PerkCodes.List<ScheduleType>(PerkCodes.Explain)}. Each member gets a run's grant exactly once. " +
                "409 (problem with `quota`, `limit`, `requested`) past a program quota: perks held, codes per request or per pool, " +
                "cron interval; codes of an offer are unique (409 listing `duplicates`).");
        group.MapGet("/", ListPerks)
            .WithName(nameof(ListPerks))
            .WithSummary("List the program's perks with their figures, newest first")
            .WithDescription(Paging.Description);
        group.MapGet("/{perkId}", GetPerk)
            .WithName(nameof(GetPerk))
            .WithSummary("A perk with its figures: granted, claimed, accepted, waitlisted, next run, last run");
        group.MapPatch("/{perkId}", PatchPerk)
            .WithName(nameof(PatchPerk))
            .WithSummary("Pause or resume a perk")
            .WithDescription("`{ \"status\": \"paused\" }` stops future runs; `{ \"status\": \"active\" }` resumes them.");
        group.MapDelete("/{perkId}", DeletePerk)
            .WithName(nameof(DeletePerk))
            .WithSummary("Delete a perk: no more runs, gone from member inboxes")
            .WithDescription("Removes at once everything the perk owns (definition, code pool, RSVPs, grant runs, index and news entries); " +
                "members' grants of it, claimed codes included, leave their inboxes in the background within moments.");
        group.MapGet("/{perkId}/codes", ListCodes)
            .WithName(nameof(ListCodes))
            .WithSummary("An offer's codes: free, or claimed by whom and when (JSON or CSV)")
            .WithDescription("Claimed codes first, oldest claim first, then the free ones, the next to be handed out first; `state` " +
                "(free or claimed) narrows the list. " + Paging.Description + " With `format=csv` or `Accept: text/csv` the whole list " +
                "(`code,state,memberId,claimedAt`) is streamed as CSV, read 1,000 codes per script run, `offset` and `limit` ignored: " +
                "it is not a snapshot, a code claimed while it streams may appear twice or not at all. An erased member's code is " +
                "gone (the code lived only in their grant).");
        group.MapPost("/{perkId}/codes", AddCodes)
            .WithName(nameof(AddCodes))
            .WithSummary("Add codes to an offer's pool")
            .WithDescription("Codes are unique in a pool, claimed ones included: a code already there (or repeated in the request) is refused " +
                "with 409 listing `duplicates`, and nothing is added. 409 with `quota` past codes per request or per pool.");
        return group;
    }

    public sealed record PerkStatusRequest([property: WireValues(typeof(PerkStatus), "paused", "active")] string? Status);

    public sealed record CodesRequest(string[]? Codes);

    public sealed record PerkList(IReadOnlyList<PerkView> Perks, long Total);

    public sealed record OfferCodeList(IReadOnlyList<OfferCode> Codes, long Total);

    /// <summary>Codes read per script run while a CSV streams.</summary>
    private const int CsvChunk = 1000;

    private static async Task<Results<Ok<OfferCodeList>, PushStreamHttpResult, ValidationProblem, NotFoundProblem>> ListCodes(
        string programId, string perkId, RouteProgram route, PerkStore perks, HttpRequest http, string? state = null, string? format = null,
        int? offset = null, int? limit = null)
    {
        var v = new Validation()
            .Check(state is null or "free" or "claimed", "state", "When given: free or claimed.")
            .Check(format is null or "json" or "csv", "format", "When given: json or csv (or send `Accept: text/csv`).")
            .CheckPage(offset, limit);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var found = Ids.IsValidGeneratedId(perkId) ? await perks.FindDefinitionAsync(programId, perkId) : null;
        if (found is not var (perk, _) || perk.Kind != PerkKind.Offer)
        {
            return Problems.NotFound("No such offer in this program (codes belong to offers).");
        }
        var filter = state is null ? (OfferCodeState?)null : WireCode<OfferCodeState>.Parse(state);
        var csv = format == "csv" || (format is null && http.Headers.Accept.Any(a => a?.Contains("text/csv", StringComparison.OrdinalIgnoreCase) == true));
        if (!csv)
        {
            var (page, total) = await perks.CodesAsync(programId, perkId, filter, offset ?? 0, limit ?? Paging.DefaultLimit);
            return TypedResults.Ok(new OfferCodeList(page, total));
        }
        return TypedResults.Stream(async body =>
        {
            await using var writer = new StreamWriter(body, new System.Text.UTF8Encoding(false), leaveOpen: true);
            await writer.WriteAsync("code,state,memberId,claimedAt\r\n");
            for (var at = 0; ; at += CsvChunk)
            {
                var (chunk, _) = await perks.CodesAsync(programId, perkId, filter, at, CsvChunk);
                foreach (var c in chunk)
                {
                    await writer.WriteAsync($"{Csv(c.Code)},{c.State.ToWire()},{Csv(c.MemberId ?? "")},{c.ClaimedAt?.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture)}\r\n");
                }
                await writer.FlushAsync();
                if (chunk.Count < CsvChunk)
                {
                    break;
                }
            }
        }, "text/csv; charset=utf-8", $"codes-{perkId}.csv");
    }

    /// <summary>An RFC 4180 field: quoted when it holds a comma, a quote or a line break.</summary>
    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";

    private static async Task<Results<Created<PerkView>, ValidationProblem, ConflictProblem>> CreatePerk(
        string programId, CreatePerkRequest request, RouteProgram route, PerkStore perks, PerkScheduler scheduler, QuotaStore quotaStore,
        TimeProvider clock)
    {
        var program = route.Program;
        var quotas = await quotaStore.QuotasAsync(program.Id);
        // Before the codes are generated: a refused request costs no work.
        if (PerkQuotas.CodesPerRequest(program.Id, (request.Offer?.Codes?.Length ?? 0) + Math.Max(0L, request.Offer?.GenerateCodes ?? 0), quotas)
            is { } tooMany)
        {
            return tooMany;
        }
        var now = clock.GetUtcNow();
        var (perk, codes, errors) = PerkRules.Validate(request, program, now);
        if (perk is null)
        {
            return errors.ToProblem();
        }
        if (PerkQuotas.CronInterval(program.Id, perk.Schedule, quotas, now) is { } tooOften)
        {
            return tooOften;
        }
        var outcome = await perks.CreateAsync(program.Id, perk, codes, quotas);
        if (PerkQuotas.Refusal(program.Id, outcome, codes.Length, quotas) is { } refused)
        {
            return refused;
        }
        scheduler.Start(program.Id, perk);
        return TypedResults.Created($"/v1/programs/{program.Id}/perks/{perk.PerkId}", (await perks.FindAsync(program.Id, perk.PerkId))!);
    }

    private static async Task<Results<Ok<PerkList>, ValidationProblem>> ListPerks(string programId, RouteProgram route, PerkStore perks,
        int? offset = null, int? limit = null)
    {
        var v = new Validation().CheckPage(offset, limit);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var (page, total) = await perks.ListAsync(route.Program.Id, offset ?? 0, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new PerkList(page, total));
    }

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
        string programId, string perkId, RouteProgram route, PerkStore perks, PerkScheduler scheduler, IBackgroundJobClient jobs)
    {
        var found = Ids.IsValidGeneratedId(perkId) ? await perks.FindDefinitionAsync(programId, perkId) : null;
        if (found is not var (perk, _))
        {
            return PerkNotFound();
        }
        // The recurring job first: it cannot start a run of a perk whose keys are gone (a one-off job finds no perk and stops).
        scheduler.Stop(programId, perk);
        if (await perks.DeleteAsync(programId, perkId))
        {
            jobs.Enqueue<PerkCleanupJob>(j => j.RunAsync(programId, perkId, CancellationToken.None));
        }
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<PerkView>, ValidationProblem, NotFoundProblem, ConflictProblem>> AddCodes(
        string programId, string perkId, CodesRequest request, RouteProgram route, PerkStore perks, QuotaStore quotaStore)
    {
        var codes = request.Codes ?? [];
        // Repeated codes are no shape error: they are refused with the other duplicates (409 listing them).
        if (codes.Length is 0 or > PerkLimits.MaxCodesPerRequest || !codes.All(PerkRules.IsValidCode))
        {
            return Problems.Invalid("codes", $"1 to {PerkLimits.MaxCodesPerRequest:N0} codes of 1–{PerkLimits.MaxCodeLength} characters of A–Z, a–z, 0–9, '-', '_', '.'.");
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
        var quotas = await quotaStore.QuotasAsync(programId);
        if (PerkQuotas.CodesPerRequest(programId, codes.Length, quotas) is { } tooMany)
        {
            return tooMany;
        }
        var outcome = await perks.AddCodesAsync(programId, perkId, codes, quotas);
        if (outcome.Result == CodesResult.NoPerk)
        {
            return PerkNotFound();
        }
        if (PerkQuotas.Refusal(programId, outcome, codes.Length, quotas) is { } refused)
        {
            return refused;
        }
        return TypedResults.Ok((await perks.FindAsync(programId, perkId))!);
    }

    public static NotFoundProblem PerkNotFound() => Problems.NotFound("No such perk in this program.");
}
