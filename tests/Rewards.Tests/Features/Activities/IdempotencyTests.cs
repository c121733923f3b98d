using Rewards.Api.Infrastructure.Redis;
using System.Net;
using System.Text.Json;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Activities;

public sealed class IdempotencyTests(RewardsApiFactory factory) : ApiTest(factory)
{
    [Fact]
    public async Task SameKeyAndBody_ReplaysOriginalAnswer_AndWritesNothing()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var body = new { memberId = "m-1", type = "review", targetId = "p-1" };

        var first = await PostActivityAsync(id, body, "key-1");
        var second = await PostActivityAsync(id, body, "key-1");

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.True(second.Headers.TryGetValues("Idempotent-Replayed", out var replayed) && replayed.Single() == "true");
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Single(await GetLedgerAsync(id, "m-1"));
        Assert.Equal(50, (await GetMemberAsync(id, "m-1")).GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task IdempotencyKeys_AreRememberedAtLeastADay()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        await PostActivityAsync(id, new { memberId = "m-1", type = "review" }, "remember-me");

        var stored = Assert.Single(await Factory.KeysAsync(RedisKeys.Idempotency(id, "*").ToString()));
        var ttl = await Factory.Redis.GetDatabase().KeyTimeToLiveAsync(stored);

        Assert.InRange(ttl!.Value, TimeSpan.FromHours(24), TimeSpan.FromHours(48));
    }

    [Fact]
    public async Task SameKey_DifferentBody_Conflicts()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        await PostActivityAsync(id, new { memberId = "m-1", type = "review", targetId = "p-1" }, "key-1");

        var response = await PostActivityAsync(id, new { memberId = "m-1", type = "review", targetId = "p-2" }, "key-1");

        await AssertProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Single(await GetLedgerAsync(id, "m-1"));
    }

    [Fact]
    public async Task Replay_ReturnsOriginalAnswer_EvenAfterRulesOrTimeMovedOn()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var occurredAt = RewardsApiFactory.DefaultNow.AddDays(-6);
        var first = await PostActivityAsync(id, new { memberId = "m-1", type = "review", occurredAt }, "key-1");

        Factory.Clock.Advance(TimeSpan.FromDays(1.5)); // occurredAt is now older than the 7 days accepted
        var second = await PostActivityAsync(id, new { memberId = "m-1", type = "review", occurredAt }, "key-1");

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task IdempotencyKey_IsScopedToItsProgram()
    {
        var a = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var b = await CreateProgramAsync("""{ "review": { "points": 50 } }""");

        await PostActivityAsync(a, new { memberId = "m-1", type = "review" }, "shared-key");
        var other = await PostActivityAsync(b, new { memberId = "m-1", type = "review" }, "shared-key");

        Assert.False(other.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(50, (await GetMemberAsync(b, "m-1")).GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task MissingOrInvalidKey_IsRefused()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var withoutKey = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{id}/activities")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { memberId = "m-1", type = "review" }),
        };

        await AssertProblemAsync(await Client.SendAsync(withoutKey), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await PostActivityAsync(id, new { memberId = "m-1", type = "review" }, new string('k', 129)), HttpStatusCode.BadRequest);
        await GetJsonAsync($"/v1/programs/{id}/members/m-1", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task FiftyConcurrentRequests_WithOneKey_WriteExactlyOneEntry()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var body = new { memberId = "m-1", type = "review" };

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => PostActivityAsync(id, body, "same-key")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var ids = await Task.WhenAll(responses.Select(async r =>
            JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("activityId").GetString()));
        Assert.Single(ids.Distinct());
        Assert.Equal(49, responses.Count(r => r.Headers.Contains("Idempotent-Replayed")));
        Assert.Single(await GetLedgerAsync(id, "m-1"));
        Assert.Equal(50, (await GetMemberAsync(id, "m-1")).GetProperty("balance").GetInt64());
    }
}
