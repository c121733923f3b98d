using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Rewards.Api.Features.Perks;
using Rewards.Api.Features.Programs;
using Rewards.Api.Features.Quotas;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Errors;
using Rewards.Api.Infrastructure.Http;
using Rewards.Api.Infrastructure.OpenApi;

namespace Rewards.Api.Features.Catalogue;

/// <summary>The rewards catalogue: what members can spend their balance on.</summary>
public static class RewardsApi
{
    public static IServiceCollection AddRewardsFeature(this IServiceCollection services) =>
        services.AddSingleton<RewardStore>().AddSingleton<HoldExpiryJob>();

    public static RouteGroupBuilder MapRewardsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/programs/{programId}/rewards").WithTags("Rewards").RequireProgram();
        group.MapPost("/", CreateReward)
            .WithName(nameof(CreateReward))
            .RequireAuthorization(Policies.Perks)
            .WithSummary("Add a reward to the catalogue")
            .WithDescription($"Kinds: {PerkCodes.List<RewardKind>(RewardCodes.Explain)}. `title` and `description` are localized like news " +
                "(`default` and BCP 47 locales). Optional: `stock` (units left; absent = unlimited; a code reward's stock is its pool, filled " +
                "with `codes` and `generateCodes`), `limit` (`count` per member `per` local day, week, month or ever), `availableFrom`/" +
                "`availableUntil`, `audience` (`minTier`, `badge`), `active` (default true). 409 listing `duplicates` for codes already in the pool.");
        group.MapGet("/", ListRewards)
            .WithName(nameof(ListRewards))
            .RequireAuthorization(Policies.MemberRead)
            .WithSummary("The catalogue, newest first, with stock left and figures")
            .WithDescription(Paging.Description);
        group.MapGet("/{rewardId}", GetReward)
            .WithName(nameof(GetReward))
            .RequireAuthorization(Policies.MemberRead)
            .WithSummary("A reward with its stock left and its own figures (reserved, confirmed, cancelled, expired, units and points redeemed)");
        group.MapPatch("/{rewardId}", PatchReward)
            .WithName(nameof(PatchReward))
            .RequireAuthorization(Policies.Perks)
            // Documented, not matched: a body of another type reaches the handler, whose 415 says what to send.
            .WithMetadata(new DocumentedRequestBody(typeof(CreateRewardRequest), ProgramMergePatch.ContentType))
            .WithSummary("Change a reward (JSON merge patch of its definition)")
            .WithDescription($"`Content-Type: {ProgramMergePatch.ContentType}`. Fields as in the creation, merged into the reward (RFC 7396: `null` removes an optional field); the kind never " +
                "changes. `stock` sets the units left (`null`: unlimited); `codes` adds codes to a code reward's pool. Redemptions already made keep their terms.");
        group.MapDelete("/{rewardId}", DeleteReward)
            .WithName(nameof(DeleteReward))
            .RequireAuthorization(Policies.Perks)
            .WithSummary("Remove a reward from the catalogue")
            .WithDescription("It refuses redemptions from now on (404); redemptions made keep their history and can still be confirmed or cancelled.");
        return group;
    }

    public sealed record RewardList(IReadOnlyList<RewardView> Rewards, long Total);

    private static async Task<Results<Created<RewardView>, ValidationProblem, ConflictProblem>> CreateReward(
        string programId, CreateRewardRequest request, RouteProgram route, RewardStore rewards, PerkStore perks, QuotaStore quotaStore, TimeProvider clock)
    {
        var program = route.Program;
        var quotas = await quotaStore.QuotasAsync(program.Id);
        if (PerkQuotas.CodesPerRequest(program.Id, (request.Codes?.Length ?? 0) + Math.Max(0L, request.GenerateCodes ?? 0), quotas) is { } tooMany)
        {
            return tooMany;
        }
        var now = clock.GetUtcNow();
        var (reward, codes, errors) = RewardRules.Validate(request, program, await PerkKindsAsync(perks, program.Id, request.PerkId), now);
        if (reward is null)
        {
            return errors.ToProblem();
        }
        var saved = await rewards.SaveAsync(program, "create", reward, codes, setStock: true, quotas.MaxCodesPerPool, now);
        if (Refusal(program.Id, saved, codes.Length, quotas) is { } refused)
        {
            return refused;
        }
        return TypedResults.Created($"/v1/programs/{program.Id}/rewards/{reward.RewardId}", (await rewards.FindAsync(program.Id, reward.RewardId))!);
    }

    private static async Task<Results<Ok<RewardList>, ValidationProblem>> ListRewards(string programId, RouteProgram route, RewardStore rewards,
        int? offset = null, int? limit = null)
    {
        var v = new Validation().CheckPage(offset, limit);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var (page, total) = await rewards.ListAsync(route.Program.Id, offset ?? 0, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new RewardList(page, total));
    }

    private static async Task<Results<Ok<RewardView>, NotFoundProblem>> GetReward(string programId, string rewardId, RouteProgram route, RewardStore rewards)
    {
        var view = Ids.IsValidGeneratedId(rewardId) ? await rewards.FindAsync(route.Program.Id, rewardId) : null;
        return view is null ? RewardNotFound() : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<RewardView>, ValidationProblem, NotFoundProblem, ConflictProblem, UnsupportedMediaTypeProblem>> PatchReward(
        string programId, string rewardId, HttpRequest http, RouteProgram route, RewardStore rewards, PerkStore perks, QuotaStore quotaStore,
        TimeProvider clock)
    {
        if (!ProgramMergePatch.IsMergePatch(http.ContentType))
        {
            return Problems.UnsupportedMediaType($"A JSON Merge Patch (RFC 7396) is sent with 'Content-Type: {ProgramMergePatch.ContentType}'.");
        }
        var program = route.Program;
        var existing = Ids.IsValidGeneratedId(rewardId) ? await rewards.FindDefinitionAsync(program.Id, rewardId) : null;
        if (existing is null)
        {
            return RewardNotFound();
        }
        var (patch, readError) = await ProgramMergePatch.ReadAsync(http);
        if (patch is null)
        {
            return Problems.Invalid("body", readError!);
        }
        var document = JsonSerializer.SerializeToNode(existing, HttpSetup.StoredJson)!.AsObject();
        document.Remove("rewardId");
        document.Remove("createdAt");
        CreateRewardRequest? request;
        try
        {
            request = ProgramMergePatch.Merge(document, patch).Deserialize<CreateRewardRequest>(HttpSetup.StoredJson);
        }
        catch (JsonException e)
        {
            return Problems.Invalid(string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.'),
                $"After applying the patch: {e.Message.Split(" Path:")[0]}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            return Problems.Invalid("body", "Texts must be valid Unicode (no lone surrogate).");
        }
        if (request is null)
        {
            return Problems.Invalid("body", "The patch leaves no reward.");
        }
        var quotas = await quotaStore.QuotasAsync(program.Id);
        if (PerkQuotas.CodesPerRequest(program.Id, (request.Codes?.Length ?? 0) + Math.Max(0L, request.GenerateCodes ?? 0), quotas) is { } tooMany)
        {
            return tooMany;
        }
        var now = clock.GetUtcNow();
        var (reward, codes, errors) = RewardRules.Validate(request, program, await PerkKindsAsync(perks, program.Id, request.PerkId), now, existing);
        if (reward is null)
        {
            return errors.ToProblem();
        }
        var saved = await rewards.SaveAsync(program, "update", reward, codes, setStock: patch.ContainsKey("stock"), quotas.MaxCodesPerPool, now);
        if (saved.Result == SaveRewardResult.Missing)
        {
            return RewardNotFound();
        }
        if (Refusal(program.Id, saved, codes.Length, quotas) is { } refused)
        {
            return refused;
        }
        return TypedResults.Ok((await rewards.FindAsync(program.Id, rewardId))!);
    }

    private static async Task<Results<NoContent, NotFoundProblem>> DeleteReward(string programId, string rewardId, RouteProgram route, RewardStore rewards) =>
        Ids.IsValidGeneratedId(rewardId) && await rewards.DeleteAsync(route.Program.Id, rewardId) ? TypedResults.NoContent() : RewardNotFound();

    private static async Task<IReadOnlyDictionary<string, PerkKind>> PerkKindsAsync(PerkStore perks, string programId, string? perkId) =>
        perkId is not null && Ids.IsValidGeneratedId(perkId) && await perks.FindDefinitionAsync(programId, perkId) is var (perk, _)
            ? new Dictionary<string, PerkKind> { [perkId] = perk.Kind }
            : new Dictionary<string, PerkKind>();

    private static ConflictProblem? Refusal(string programId, (SaveRewardResult Result, long Count, IReadOnlyList<string> Duplicates) saved, long requested,
        ProgramQuotas quotas) => saved.Result switch
    {
        SaveRewardResult.PoolQuota => QuotaExceeded.Problem(programId, QuotaNames.MaxCodesPerPool, quotas.MaxCodesPerPool, saved.Count + requested,
            "codes in one reward's pool (handed-out ones included)", "Create another reward for further codes."),
        SaveRewardResult.Duplicates => new ConflictProblem(
            $"{saved.Count:N0} of the codes are already in this reward's pool (handed-out ones included); nothing was changed. Send only new codes.",
            "Duplicate codes", null, new Dictionary<string, object?> { ["duplicates"] = saved.Duplicates, ["duplicateCount"] = saved.Count }),
        SaveRewardResult.Exists => Problems.Conflict("A reward with this id exists already; retry."),
        _ => null,
    };

    public static NotFoundProblem RewardNotFound() => Problems.NotFound("No such reward in this program's catalogue.");
}
