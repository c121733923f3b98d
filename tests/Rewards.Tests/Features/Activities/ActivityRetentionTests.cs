using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rewards.Api.Features.Activities;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Activities;

/// <summary>
/// An activity's detail is kept Rewards:Activities:DetailRetention (90 days by default) from its decision, a pending one
/// until moderated; afterwards reading it answers 410 and moderating it 409, while the ledger keeps its entries. Redis TTLs
/// are real time: they are checked as values, and expiry is played by deleting the hash and moving the API's clock.
/// </summary>
public sealed class ActivityRetentionTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(90);

    private async Task<TimeSpan?> DetailTtlAsync(string programId, string activityId) =>
        await Factory.Redis.GetDatabase().KeyTimeToLiveAsync(RedisKeys.Activity(programId, activityId));

    private static string ActivityIdOf(JsonElement answer) => answer.GetProperty("activityId").GetString()!;

    [Fact]
    public async Task DecidedActivities_KeepTheirDetailForTheRetention_PendingOnesUntilModerated()
    {
        var id = await CreateProgramAsync("""{ "share": { "points": 5, "dailyCap": 1 }, "review": { "points": 50, "requiresApproval": true } }""");
        var awarded = ActivityIdOf(await RecordAsync(id, "m-1", "share"));
        var refused = ActivityIdOf(await RecordAsync(id, "m-1", "share")); // daily cap: rejected at once
        var pending = ActivityIdOf(await RecordAsync(id, "m-1", "review", "p-1"));

        Assert.InRange((await DetailTtlAsync(id, awarded))!.Value, Retention - TimeSpan.FromMinutes(1), Retention);
        Assert.InRange((await DetailTtlAsync(id, refused))!.Value, Retention - TimeSpan.FromMinutes(1), Retention);
        Assert.Null(await DetailTtlAsync(id, pending));

        // Moderation renews it from its own moment: shorten it, then approve.
        await Factory.Redis.GetDatabase().KeyExpireAsync(RedisKeys.Activity(id, awarded), TimeSpan.FromDays(1));
        await PostJsonAsync($"/v1/programs/{id}/activities/{pending}/approve", null, HttpStatusCode.OK);
        await PostJsonAsync($"/v1/programs/{id}/activities/{awarded}/reverse", new { reason = "spam" }, HttpStatusCode.OK);
        Assert.InRange((await DetailTtlAsync(id, pending))!.Value, Retention - TimeSpan.FromMinutes(1), Retention);
        Assert.InRange((await DetailTtlAsync(id, awarded))!.Value, Retention - TimeSpan.FromMinutes(1), Retention);
    }

    [Fact]
    public async Task AnArchivedActivity_IsGone_ModerationSaysWhy_AndTheLedgerKeepsItsEntry()
    {
        var id = await CreateProgramAsync("""{ "share": { "points": 5 } }""");
        var activityId = ActivityIdOf(await RecordAsync(id, "m-1", "share"));
        var recordedAt = ActivityStore.RecordedAtOf(activityId)!.Value;
        await Factory.Redis.GetDatabase().KeyDeleteAsync(RedisKeys.Activity(id, activityId)); // as its expiry would

        // Younger than the retention: it cannot have been archived, so it never existed.
        Factory.SetUtcNow(recordedAt.AddDays(10));
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/activities/{activityId}"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await Client.PostAsJsonAsync($"/v1/programs/{id}/activities/{activityId}/reverse", new { reason = "x" }), HttpStatusCode.NotFound);

        Factory.SetUtcNow(recordedAt + Retention + TimeSpan.FromDays(1));
        var gone = await Client.GetAsync($"/v1/programs/{id}/activities/{activityId}");
        await AssertProblemAsync(gone, HttpStatusCode.Gone);
        var detail = JsonDocument.Parse(await gone.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();
        Assert.Contains("archived", detail);
        Assert.Contains("90 days", detail);
        Assert.Contains("ledger", detail);

        var refused = await Client.PostAsJsonAsync($"/v1/programs/{id}/activities/{activityId}/reverse", new { reason = "fraud" });
        await AssertProblemAsync(refused, HttpStatusCode.Conflict);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(ActivitiesApi.ArchivedProblemType, problem.GetProperty("type").GetString());
        Assert.Equal(activityId, problem.GetProperty("activityId").GetString());
        Assert.Contains("archived", problem.GetProperty("detail").GetString());
        var bulk = await PostJsonAsync($"/v1/programs/{id}/activities:moderate", new { action = "approve", activityIds = new[] { activityId } }, HttpStatusCode.OK);
        Assert.Equal("conflict", bulk.GetProperty("results")[0].GetProperty("outcome").GetString());

        // An id the API never generated (not UUIDv7) is not found, however old its digits look.
        var notV7 = "00000000000040008000000000000000";
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/activities/{notV7}"), HttpStatusCode.NotFound);

        var ledger = await GetLedgerAsync(id, "m-1");
        Assert.Equal(activityId, Assert.Single(ledger).GetProperty("activityId").GetString());
        Assert.Equal(5, (await GetMemberAsync(id, "m-1")).GetProperty("balance").GetInt64()); // nothing reversed
    }
}
