using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Lots;

/// <summary>POST .../members/{memberId}/adjustments: audited, idempotent, capped per client and day.</summary>
public sealed class AdjustmentTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private static HttpRequestMessage Request(string programId, string memberId, object body, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{programId}/members/{memberId}/adjustments") { Content = JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }
        return request;
    }

    private async Task<(HttpResponseMessage Response, JsonElement Body)> AdjustAsync(HttpClient client, string programId, string memberId,
        object body, string? key = "k-" + "default")
    {
        var response = await client.SendAsync(Request(programId, memberId, body, key == "k-default" ? Guid.NewGuid().ToString() : key));
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement);
    }

    [Fact]
    public async Task Adjustment_MovesTheBalance_NotLifetime_AndTheLedgerNamesTheClient()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 100 } }""");
        await RecordAsync(id, "m-1", "review");
        var (clientId, secret) = await CreateApiClientAsync(id, "rewards.activities");
        var crm = Factory.CreateClient(await Factory.TokenAsync(clientId, secret));

        var (response, body) = await AdjustAsync(crm, id, "m-1", new { points = 25, reason = "goodwill", note = "late parcel" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(125, body.GetProperty("balance").GetInt64());
        Assert.Equal(100, body.GetProperty("lifetimePoints").GetInt64());
        Assert.Equal(clientId, body.GetProperty("clientId").GetString());
        var member = await GetMemberAsync(id, "m-1");
        Assert.Equal(100, member.GetProperty("lifetimePoints").GetInt64());

        var entry = (await GetLedgerAsync(id, "m-1")).First();
        Assert.Equal("adjustment", entry.GetProperty("kind").GetString());
        Assert.Equal("goodwill", entry.GetProperty("type").GetString());
        Assert.Equal(25, entry.GetProperty("points").GetInt64());
        Assert.Equal(clientId, entry.GetProperty("clientId").GetString());
        Assert.Equal("late parcel", entry.GetProperty("reason").GetString());
        Assert.Equal("+25 points adjusted (goodwill): late parcel.", entry.GetProperty("description").GetString());
        var stats = await GetJsonAsync($"/v1/programs/{id}/stats?from=2026-11-18&to=2026-11-18");
        Assert.Equal(25, stats.GetProperty("totals").GetProperty("pointsAdjusted").GetInt64());
    }

    [Fact]
    public async Task Adjustment_CountsTowardLifetime_WhenAsked()
    {
        var id = await CreateProgramAsync(new
        {
            rules = new { review = new { points = 100 } },
            tiers = new[] { new { name = "Silver", minLifetimePoints = 150 } },
        });
        await RecordAsync(id, "m-1", "review");
        var (_, body) = await AdjustAsync(Client, id, "m-1", new { points = 60, reason = "migration", countsTowardLifetime = true });
        Assert.Equal(160, body.GetProperty("lifetimePoints").GetInt64());
        Assert.Equal("Silver", body.GetProperty("tier").GetString());
        var board = await GetJsonAsync($"/v1/programs/{id}/leaderboards/points?window=all");
        Assert.Equal(160, board.GetProperty("entries")[0].GetProperty("score").GetInt64());
        Assert.Contains(await GetLedgerAsync(id, "m-1"), e => e.GetProperty("kind").GetString() == "tier");
    }

    [Fact]
    public async Task Adjustment_IsIdempotent_ReplayOrConflict()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 100 } }""");
        await RecordAsync(id, "m-1", "review");
        var (first, a) = await AdjustAsync(Client, id, "m-1", new { points = -30, reason = "correction" }, "adj-1");
        var (again, b) = await AdjustAsync(Client, id, "m-1", new { points = -30, reason = "correction" }, "adj-1");
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(a.GetProperty("adjustmentId").GetString(), b.GetProperty("adjustmentId").GetString());
        Assert.Equal(70, b.GetProperty("balance").GetInt64());
        var (other, _) = await AdjustAsync(Client, id, "m-1", new { points = -31, reason = "correction" }, "adj-1");
        await AssertProblemAsync(other, HttpStatusCode.Conflict);
        Assert.Equal(70, (await GetMemberAsync(id, "m-1")).GetProperty("balance").GetInt64());
        Assert.Single(await GetLedgerAsync(id, "m-1"), e => e.GetProperty("kind").GetString() == "adjustment");
    }

    [Fact]
    public async Task Adjustment_PastTheClientsDailyCap_IsRefused_ButTheOperatorMayMakeIt()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 100 } }""");
        await RecordAsync(id, "m-1", "review");
        var crm = await ClientOfProgramAsync(id, "rewards.activities");
        // The default cap: 10,000 points per client and local day, added and removed alike.
        Assert.Equal(HttpStatusCode.Created, (await AdjustAsync(crm, id, "m-1", new { points = 6000, reason = "migration" })).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await AdjustAsync(crm, id, "m-1", new { points = -4000, reason = "correction" })).Response.StatusCode);
        var (refused, problem) = await AdjustAsync(crm, id, "m-1", new { points = 1, reason = "goodwill" });
        await AssertProblemAsync(refused, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("daily_adjustment_cap_reached", problem.GetProperty("reason").GetString());
        Assert.Equal(10000, problem.GetProperty("usedToday").GetInt64());
        Assert.Equal(2100, (await GetMemberAsync(id, "m-1")).GetProperty("balance").GetInt64());

        Assert.Equal(HttpStatusCode.Created, (await AdjustAsync(Client, id, "m-1", new { points = 50000, reason = "migration" })).Response.StatusCode);
        // The next local day (Paris) the client may adjust again.
        Factory.SetUtcNow(new DateTimeOffset(2026, 11, 18, 23, 0, 0, TimeSpan.Zero));
        Assert.Equal(HttpStatusCode.Created, (await AdjustAsync(crm, id, "m-1", new { points = 1, reason = "goodwill" })).Response.StatusCode);
    }

    [Theory]
    [InlineData("""{ "reason": "goodwill" }""", "points")]
    [InlineData("""{ "points": 0, "reason": "goodwill" }""", "points")]
    [InlineData("""{ "points": 1000001, "reason": "goodwill" }""", "points")]
    [InlineData("""{ "points": 5 }""", "reason")]
    [InlineData("""{ "points": 5, "reason": "bribe" }""", "reason")]
    [InlineData("""{ "points": 5, "reason": "other", "note": "" }""", "note")]
    public async Task Adjustment_BadInput_IsRefused_AndChangesNothing(string json, string field)
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 100 } }""");
        await RecordAsync(id, "m-1", "review");
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{id}/members/m-1/adjustments")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", "k1");
        var response = await Client.SendAsync(request);
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(100, (await GetMemberAsync(id, "m-1")).GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task Adjustment_NeedsAnIdempotencyKey_AKnownMember_AndTheActivitiesScope()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 100 } }""");
        await RecordAsync(id, "m-1", "review");
        await AssertProblemAsync((await AdjustAsync(Client, id, "m-1", new { points = 5, reason = "other" }, key: null)).Response, HttpStatusCode.BadRequest);
        await AssertProblemAsync((await AdjustAsync(Client, id, "nobody", new { points = 5, reason = "other" })).Response, HttpStatusCode.NotFound);
        var reader = await ClientOfProgramAsync(id, "rewards.read");
        Assert.Equal(HttpStatusCode.Forbidden, (await AdjustAsync(reader, id, "m-1", new { points = 5, reason = "other" })).Response.StatusCode);
    }

    [Fact]
    public async Task AdjustmentNote_IsScrubbed_WhenTheMemberIsErased()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 100 } }""");
        await RecordAsync(id, "m-1", "review");
        await AdjustAsync(Client, id, "m-1", new { points = 5, reason = "goodwill", note = "Alice Martin called" });
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/members/m-1")).StatusCode);
        var ledger = await Rewards.Tests.Infrastructure.LedgerStorage.ReadAsync(Factory.Redis.GetDatabase(), id, "m-1");
        var adjustment = ledger.Single(e => e.Kind == "adjustment");
        Assert.Equal("", adjustment.Reason);
        Assert.Equal("goodwill", adjustment.Type);
    }
}
