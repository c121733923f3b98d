using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rewards.Api.Features.Lots;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Tests.Infrastructure;
using StackExchange.Redis;

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
        Assert.Equal(a.GetRawText(), b.GetRawText()); // the whole answer, from the compact record
        var (other, _) = await AdjustAsync(Client, id, "m-1", new { points = -31, reason = "correction" }, "adj-1");
        await AssertProblemAsync(other, HttpStatusCode.Conflict);
        Assert.Equal(70, (await GetMemberAsync(id, "m-1")).GetProperty("balance").GetInt64());
        Assert.Single(await GetLedgerAsync(id, "m-1"), e => e.GetProperty("kind").GetString() == "adjustment");

        // The record is a field of the idempotency store's generation hash (Scripts/idempotency.lua), not a string of its own.
        var slot = IdempotencySlot.For(id, AdjustPoints.KeyHash("adj-1"), AdjustPoints.RequestHash("m-1", -30, "correction", "", false),
            RewardsApiFactory.DefaultNow);
        var db = Factory.Redis.GetDatabase();
        Assert.True(await db.HashExistsAsync(slot.Current, slot.Field));
        Assert.NotEqual(RedisValue.EmptyString, await db.HashGetAsync(slot.Current, slot.Field));
        Assert.False(await db.KeyExistsAsync(RedisKeys.AdjustmentIdempotency(id, IdempotencySlot.Hash("adj-1"))));
    }

    [Fact]
    public async Task Adjustment_IdempotencyKey_IsApartFromActivitiesAndRedemptions()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 100 } }""");
        Assert.Equal(HttpStatusCode.Created, (await PostActivityAsync(id, new { memberId = "m-1", type = "review" }, "shared")).StatusCode);
        var reward = (await PostJsonAsync($"/v1/programs/{id}/rewards", new { kind = "voucher", title = new { @default = "Coffee" }, costPoints = 10 },
            HttpStatusCode.Created)).GetProperty("reward").GetProperty("rewardId").GetString();
        var redeem = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{id}/members/m-1/redemptions") { Content = JsonContent.Create(new { rewardId = reward }) };
        redeem.Headers.Add("Idempotency-Key", "shared");
        var redeemed = await Client.SendAsync(redeem);
        Assert.Equal(HttpStatusCode.Created, redeemed.StatusCode);
        Assert.False(redeemed.Headers.Contains("Idempotent-Replayed"));

        var (first, a) = await AdjustAsync(Client, id, "m-1", new { points = 5, reason = "goodwill" }, "shared");
        var (again, b) = await AdjustAsync(Client, id, "m-1", new { points = 5, reason = "goodwill" }, "shared");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(95, a.GetProperty("balance").GetInt64());
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(a.GetProperty("adjustmentId").GetString(), b.GetProperty("adjustmentId").GetString());
        var replayed = await PostActivityAsync(id, new { memberId = "m-1", type = "review" }, "shared");
        Assert.Equal("true", replayed.Headers.GetValues("Idempotent-Replayed").Single()); // the activity's own record, untouched
        Assert.Equal(95, (await GetMemberAsync(id, "m-1")).GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task Adjustment_LongAnswer_OverflowsToItsOwnString_AndReplaysWhole()
    {
        var id = await CreateProgramAsync(new Dictionary<string, object?>
        {
            ["timeZone"] = "Europe/Paris",
            ["rules"] = new Dictionary<string, object> { ["review"] = new { points = 100 } },
            ["pointsExpiry"] = "P12M",
        });
        for (var day = 0; day < 3; day++) // three lots, one per day
        {
            Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddDays(day));
            await RecordAsync(id, "m-1", "review");
        }

        var (first, a) = await AdjustAsync(Client, id, "m-1", new { points = -250, reason = "correction", note = "duplicate reviews" }, "long");
        var (again, b) = await AdjustAsync(Client, id, "m-1", new { points = -250, reason = "correction", note = "duplicate reviews" }, "long");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(3, a.GetProperty("lots").GetArrayLength());
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(a.GetRawText(), b.GetRawText());
        var slot = IdempotencySlot.For(id, AdjustPoints.KeyHash("long"), AdjustPoints.RequestHash("m-1", -250, "correction", "duplicate reviews", false),
            Factory.Clock.GetUtcNow());
        var db = Factory.Redis.GetDatabase();
        Assert.Equal(RedisValue.EmptyString, await db.HashGetAsync(slot.Current, slot.Field)); // the overflow mark
        Assert.True(await db.KeyExistsAsync(RedisKeys.AdjustmentIdempotency(id, IdempotencySlot.Hash("long")))); // the adjustment's own string
        Assert.Equal(50, (await GetMemberAsync(id, "m-1")).GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task Adjustment_RecordOfTheOldLayout_IsStillAnswered()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 100 } }""");
        await RecordAsync(id, "m-1", "review");
        // As the module idem wrote it before: 'requestHash|answer' under rw:{p}:idem:adj:<hash of the key>.
        const string adjustmentId = "0190f0c0a0b0c0d0e0f0a0b0c0d0e0f0";
        var at = RewardsApiFactory.DefaultNow.AddHours(-1);
        await Factory.Redis.GetDatabase().StringSetAsync(RedisKeys.AdjustmentIdempotency(id, IdempotencySlot.Hash("before-upgrade")),
            $"{AdjustPoints.RequestHash("m-1", -30, "correction", "", false)}|{adjustmentId}|-30|70|100|0||{at.ToUnixTimeMilliseconds()}",
            TimeSpan.FromHours(48));

        var (replay, body) = await AdjustAsync(Client, id, "m-1", new { points = -30, reason = "correction" }, "before-upgrade");
        var (other, _) = await AdjustAsync(Client, id, "m-1", new { points = -31, reason = "correction" }, "before-upgrade");

        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal((adjustmentId, 70L, at), (body.GetProperty("adjustmentId").GetString(), body.GetProperty("balance").GetInt64(),
            body.GetProperty("at").GetDateTimeOffset()));
        await AssertProblemAsync(other, HttpStatusCode.Conflict);
        Assert.Equal(100, (await GetMemberAsync(id, "m-1")).GetProperty("balance").GetInt64()); // nothing adjusted (nor twice)
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
