using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rewards.Tests.Infrastructure;

/// <summary>Base of the functional tests: an HTTP client on the shared API and helpers that speak its contract.</summary>
[Collection(ApiCollection.Name)]
public abstract class ApiTest : IAsyncLifetime
{
    protected ApiTest(RewardsApiFactory factory)
    {
        Factory = factory;
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow);
        Factory.RestoreHangfireGlobals();
        Client = factory.CreateClient();
    }

    /// <summary>Every test calls the API with a real token; by default the operator's (all scopes).</summary>
    public async Task InitializeAsync() =>
        Client.DefaultRequestHeaders.Authorization = new("Bearer", await Factory.AdminTokenAsync());

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Creates an API client of the program with the given scopes and returns its credentials.</summary>
    protected async Task<(string Id, string Secret)> CreateApiClientAsync(string programId, params string[] scopes)
    {
        var created = await PostJsonAsync($"/v1/programs/{programId}/clients", new { name = "test client", scopes }, HttpStatusCode.Created);
        return (created.GetProperty("clientId").GetString()!, created.GetProperty("clientSecret").GetString()!);
    }

    /// <summary>An HTTP client holding a token of a new API client of the program with the given scopes.</summary>
    protected async Task<HttpClient> ClientOfProgramAsync(string programId, params string[] scopes)
    {
        var (id, secret) = await CreateApiClientAsync(programId, scopes);
        return Factory.CreateClient(await Factory.TokenAsync(id, secret));
    }

    protected RewardsApiFactory Factory { get; }

    protected HttpClient Client { get; }

    protected static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 64)];

    /// <summary>Creates a program with a unique id and the given rules (a JSON object literal).</summary>
    protected async Task<string> CreateProgramAsync(string rulesJson, string timeZone = "Europe/Paris")
    {
        var id = NewId("p");
        var body = JsonNode.Parse($$"""{ "id": "{{id}}", "name": "Test {{id}}", "timeZone": "{{timeZone}}", "rules": {{rulesJson}} }""");
        var response = await Client.PostAsJsonAsync("/v1/programs", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    /// <summary>
    /// Creates a program with a unique id from its settings as an object (rules, tiers, badges, velocity...); the name and
    /// the time zone (Europe/Paris) are filled in unless given.
    /// </summary>
    protected async Task<string> CreateProgramAsync(object settings)
    {
        var id = NewId("p");
        var json = JsonSerializer.SerializeToNode(settings)!.AsObject();
        json["id"] = id;
        json["name"] ??= $"Test {id}";
        json["timeZone"] ??= "Europe/Paris";
        await PostJsonAsync("/v1/programs", json, HttpStatusCode.Created);
        return id;
    }

    protected Task<HttpResponseMessage> PostActivityAsync(string programId, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{programId}/activities")
        {
            Content = JsonContent.Create(body),
        };
        request.Headers.Add("Idempotency-Key", idempotencyKey ?? Guid.NewGuid().ToString());
        return Client.SendAsync(request);
    }

    /// <summary>Records an activity and returns the 201 answer.</summary>
    protected async Task<JsonElement> RecordAsync(string programId, string memberId, string type, string? targetId = null,
        DateTimeOffset? occurredAt = null)
    {
        var response = await PostActivityAsync(programId, new { memberId, type, targetId, occurredAt });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    protected async Task<JsonElement> GetJsonAsync(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await Client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"GET {url}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement;
    }

    protected async Task<JsonElement> PostJsonAsync(string url, object? body, HttpStatusCode expected)
    {
        var response = await Client.PostAsJsonAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"POST {url}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement;
    }

    protected Task<JsonElement> GetMemberAsync(string programId, string memberId) =>
        GetJsonAsync($"/v1/programs/{programId}/members/{memberId}");

    protected async Task<List<JsonElement>> GetLedgerAsync(string programId, string memberId)
    {
        var entries = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await GetJsonAsync($"/v1/programs/{programId}/members/{memberId}/ledger?limit=100" +
                (cursor is null ? "" : $"&cursor={cursor}"));
            entries.AddRange(page.GetProperty("entries").EnumerateArray());
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
        } while (cursor is not null);
        return entries;
    }

    /// <summary>
    /// Sends a request for its answer's status and body; a live stream (text/event-stream) never ends, so its body is not read:
    /// the stream is closed and the answer keeps its status and headers with an empty body (the walks over every operation).
    /// </summary>
    protected static async Task<HttpResponseMessage> SendForStatusAsync(HttpClient client, HttpRequestMessage request)
    {
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            response.Content.Dispose();
            response.Content = new StringContent("");
            return response;
        }
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    protected static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
    }
}
