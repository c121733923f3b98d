using Microsoft.AspNetCore.Http.HttpResults;
using Rewards.Api.Features.Programs;
using Rewards.Api.Features.Quotas;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Api.Features.Clients;

/// <summary>The bounds of a program's API clients.</summary>
public static class ClientLimits
{
    public const int MaxNameLength = 100;
}

public static class ClientsApi
{
    public static IServiceCollection AddClientsFeature(this IServiceCollection services) =>
        services.AddSingleton<ClientStore>();

    public static RouteGroupBuilder MapClientsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/programs/{programId}/clients")
            .RequireProgram()
            .WithTags("Clients")
            .RequireAuthorization(Policies.ProgramOwner);

        group.MapPost("/", CreateClient)
            .WithName(nameof(CreateClient))
            .WithSummary("Create an API client bound to the program")
            .WithDescription("Returns the client id and secret. The secret is shown only in this answer; Rewards stores its hash. " +
                "409 (quota maxClients) when the program holds its quota of active clients: revoke one or raise the quota.");
        group.MapGet("/", ListClients)
            .WithName(nameof(ListClients))
            .WithSummary("List the program's API clients (never their secrets)")
            .WithDescription("Ordered by client id. " + Paging.Description);
        group.MapDelete("/{clientId}", RevokeClient)
            .WithName(nameof(RevokeClient))
            .WithSummary("Revoke an API client")
            .WithDescription("The client gets no new tokens (`invalid_client`); within a few seconds every instance refuses the tokens it " +
                "already holds and the member tokens it issued (`401`).");
        return group;
    }

    public sealed record CreateClientRequest(string? Name, string[]? Scopes);

    public sealed record CreatedClient(string ClientId, string ClientSecret, string ProgramId, string Name, IReadOnlyList<string> Scopes,
        DateTimeOffset CreatedAt);

    public sealed record ClientList(IReadOnlyList<ApiClient> Clients, long Total);

    private static async Task<Results<Created<CreatedClient>, ValidationProblem, ConflictProblem>> CreateClient(
        string programId, CreateClientRequest request, RouteProgram route, ClientStore clients, QuotaStore quotaStore)
    {
        var v = new Validation()
            .Expect(request.Name, Ids.IsPlainText(request.Name, ClientLimits.MaxNameLength), "name", $"1–{ClientLimits.MaxNameLength} characters of plain text.")
            .Expect(request.Scopes, request.Scopes is { Length: > 0 } && request.Scopes.All(s => Scopes.ForProgramClients.Contains(s)), "scopes",
                $"one or more of {string.Join(", ", Scopes.ForProgramClients)}.");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var quotas = await quotaStore.QuotasAsync(programId);
        if (await clients.CreateAsync(programId, request.Name!.Trim(), request.Scopes!.Distinct().Order().ToArray(), quotas.MaxClients)
            is not var (client, secret))
        {
            return QuotaExceeded.Problem(programId, QuotaNames.MaxClients, quotas.MaxClients, quotas.MaxClients + 1L, "active API clients",
                "Revoke a client the program no longer uses (DELETE .../clients/{clientId}).");
        }
        return TypedResults.Created($"/v1/programs/{programId}/clients/{client.ClientId}",
            new CreatedClient(client.ClientId, secret, programId, client.Name, client.Scopes, client.CreatedAt));
    }

    private static async Task<Results<Ok<ClientList>, ValidationProblem>> ListClients(
        string programId, RouteProgram route, ClientStore clients, int? offset = null, int? limit = null)
    {
        var v = new Validation().CheckPage(offset, limit);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var (page, total) = await clients.ListAsync(programId, offset ?? 0, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new ClientList(page, total));
    }

    private static async Task<Results<NoContent, NotFoundProblem>> RevokeClient(
        string programId, string clientId, RouteProgram route, ClientStore clients)
    {
        return await clients.RevokeAsync(programId, clientId)
            ? TypedResults.NoContent()
            : Problems.NotFound("No such client in this program.");
    }
}
