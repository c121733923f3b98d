using System.Net.Http.Json;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Perks;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Infrastructure.OpenApi;

/// <summary>
/// Swagger UI's "Try it out" bodies are valid requests: every request body example of the committed document, sent as is to
/// a fresh program (the path's program id and the ids that must exist substituted; the created program's id made unique), is
/// accepted.
/// </summary>
public sealed class RequestExamplesTests(RewardsApiFactory factory) : ApiTest(factory)
{
    [Fact]
    public async Task EveryRequestBodyExample_IsAccepted()
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, OpenApiDocumentTests.CommittedPath)));
        var operations = (from path in document.RootElement.GetProperty("paths").EnumerateObject()
                          from op in path.Value.EnumerateObject()
                          where op.Value.TryGetProperty("requestBody", out _)
                          select (Path: path.Name, Method: op.Name, Spec: op.Value)).ToList();
        Assert.True(operations.Count >= 15, $"only {operations.Count} operations with a body");

        // The fresh program: the CreateProgram example itself, under a unique id.
        var create = operations.Single(o => o.Spec.GetProperty("operationId").GetString() == "CreateProgram");
        var program = ExampleOf(create.Spec).AsObject();
        var programId = NewId("ex");
        program["id"] = programId;
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Post, "/v1/programs", program, "application/json", false)).StatusCode);

        // Ids that must exist: a pending and an awarded activity of alice, an offer and an event granted to alice.
        await Client.PatchAsync($"/v1/programs/{programId}", new StringContent("""{"rules":{"photo":{"points":5,"requiresApproval":true}}}""",
            Encoding.UTF8, "application/merge-patch+json"));
        var pending = new Queue<string>();
        for (var i = 0; i < 2; i++)
        {
            pending.Enqueue((await RecordAsync(programId, "alice", "photo", $"photo-{i}")).GetProperty("activityId").GetString()!);
        }
        var awarded = (await RecordAsync(programId, "alice", "share")).GetProperty("activityId").GetString()!;
        var offer = await CreatePerkAsync(programId, new { kind = "offer", title = "Offer", offer = new { generateCodes = 5, expiresAt = RewardsApiFactory.FarFuture },
            audience = new { type = "members", memberIds = new[] { "alice" } }, schedule = new { type = "at", at = RewardsApiFactory.FarFuture } });
        var @event = await CreatePerkAsync(programId, new { kind = "event", title = "Tasting", @event = new { venue = "Lyon store", startsAt = RewardsApiFactory.FarFuture, capacity = 10 },
            audience = new { type = "members", memberIds = new[] { "alice" } }, schedule = new { type = "at", at = RewardsApiFactory.FarFuture } });
        await Factory.Services.GetRequiredService<PerkGrantJob>().GrantAsync(programId, @event, "examples");
        // A reward alice can afford (the example redeems it) and a confirmed physical redemption of hers (the fulfilment example).
        var reward = (await PostJsonAsync($"/v1/programs/{programId}/rewards", new { kind = "voucher", title = new { @default = "Coffee" }, costPoints = 5 },
            HttpStatusCode.Created)).GetProperty("reward").GetProperty("rewardId").GetString()!;
        var physical = (await PostJsonAsync($"/v1/programs/{programId}/rewards", new { kind = "physical", title = new { @default = "Mug" }, costPoints = 5 },
            HttpStatusCode.Created)).GetProperty("reward").GetProperty("rewardId").GetString()!;
        var shipping = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{programId}/members/alice/redemptions") { Content = JsonContent.Create(new { rewardId = physical }) };
        shipping.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var redemption = JsonDocument.Parse(await (await Client.SendAsync(shipping)).Content.ReadAsStringAsync()).RootElement.GetProperty("redemptionId").GetString()!;
        var webhook = (await PostJsonAsync($"/v1/programs/{programId}/webhooks", new { url = "https://crm.example.com/hooks/rewards" },
            HttpStatusCode.Created)).GetProperty("endpoint").GetProperty("id").GetString()!;

        // People: the sign-in example's account exists with the example's password; a person of the program to change; a live
        // invitation link for the accept example (its token is made up).
        var signIn = ExampleOf(operations.Single(o => o.Spec.GetProperty("operationId").GetString() == "SignIn").Spec);
        var invited = await PostJsonAsync($"/v1/programs/{programId}/people", new { email = signIn["email"]!.GetValue<string>(), role = "owner" },
            HttpStatusCode.Created);
        var accepted = await Client.PostAsJsonAsync("/v1/invitations/accept", new
        {
            token = invited.GetProperty("invitation").GetProperty("link").GetString()!.Split("#token=")[1],
            password = signIn["password"]!.GetValue<string>(), displayName = "Camille Durand",
        });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var personId = invited.GetProperty("personId").GetString()!;
        var pendingInvitation = await PostJsonAsync($"/v1/programs/{programId}/people", new { email = NewId("invitee") + "@acme.example", role = "analyst" },
            HttpStatusCode.Created);
        var invitationToken = pendingInvitation.GetProperty("invitation").GetProperty("link").GetString()!.Split("#token=")[1];

        var refused = new List<string>();
        foreach (var (path, method, spec) in operations.Where(o => o.Path != create.Path || o.Method != create.Method))
        {
            var id = spec.GetProperty("operationId").GetString()!;
            var url = path.Replace("{programId}", programId).Replace("{memberId}", "alice")
                .Replace("{activityId}", id == "Reverse" ? awarded : path.Contains("{activityId}") ? pending.Dequeue() : "")
                .Replace("{perkId}", id == "Rsvp" ? @event : offer).Replace("{webhookId}", webhook)
                .Replace("{rewardId}", reward).Replace("{redemptionId}", redemption).Replace("{personId}", personId);
            var content = spec.GetProperty("requestBody").GetProperty("content").EnumerateObject().Single();
            var body = ExampleOf(spec);
            if (id == "AcceptInvitation")
            {
                body["token"] = invitationToken;
            }
            if (id == "RedeemReward")
            {
                body["rewardId"] = reward;
            }
            var takesKey = spec.TryGetProperty("parameters", out var parameters)
                && parameters.EnumerateArray().Any(p => p.GetProperty("in").GetString() == "header");
            var response = await SendAsync(new HttpMethod(method.ToUpperInvariant()), url, body, content.Name, takesKey);
            if (!response.IsSuccessStatusCode)
            {
                refused.Add($"{method.ToUpperInvariant()} {path} ({id}): {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }
        Assert.True(refused.Count == 0, "Examples refused:\n" + string.Join("\n", refused));
    }

    [Fact]
    public async Task RequiredFieldsAndHeaders_AreMarkedRequired_AndNotNullable()
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, OpenApiDocumentTests.CommittedPath)));
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        foreach (var (schema, fields) in Rewards.Api.Infrastructure.OpenApi.RequestExamples.RequiredFields)
        {
            var s = schemas.GetProperty(schema);
            Assert.Equal(fields.Order(), s.GetProperty("required").EnumerateArray().Select(f => f.GetString()!).Order());
            foreach (var field in fields)
            {
                var property = s.GetProperty("properties").GetProperty(field);
                Assert.False(property.TryGetProperty("nullable", out var nullable) && nullable.GetBoolean(), $"{schema}.{field} is marked nullable");
            }
        }
        // Optional fields stay nullable: an activity's targetId.
        Assert.True(schemas.GetProperty("RecordActivityRequest").GetProperty("properties").GetProperty("targetId").GetProperty("nullable").GetBoolean());
        var key = document.RootElement.GetProperty("paths").GetProperty("/v1/programs/{programId}/activities").GetProperty("post")
            .GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "Idempotency-Key");
        Assert.True(key.GetProperty("required").GetBoolean());
    }

    private static JsonNode ExampleOf(JsonElement operation)
    {
        var media = operation.GetProperty("requestBody").GetProperty("content").EnumerateObject().Single().Value;
        Assert.True(media.TryGetProperty("example", out var example), $"{operation.GetProperty("operationId")} has no request example");
        return JsonNode.Parse(example.GetRawText())!;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, JsonNode body, string mediaType, bool idempotencyKey)
    {
        var request = new HttpRequestMessage(method, url) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        if (idempotencyKey)
        {
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        }
        return await Client.SendAsync(request);
    }

    private async Task<string> CreatePerkAsync(string programId, object body) =>
        (await PostJsonAsync($"/v1/programs/{programId}/perks", body, HttpStatusCode.Created)).GetProperty("perk").GetProperty("perkId").GetString()!;
}
