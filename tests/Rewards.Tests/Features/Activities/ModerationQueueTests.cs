using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Activities;

public sealed class ModerationQueueTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private static List<string?> Ids(JsonElement page) =>
        [.. page.GetProperty("activities").EnumerateArray().Select(a => a.GetProperty("activityId").GetString())];

    private Task<JsonElement> QueueAsync(string programId, string query = "") =>
        GetJsonAsync($"/v1/programs/{programId}/activities/pending?{query}");

    private static string IdOf(JsonElement answer) => answer.GetProperty("activityId").GetString()!;

    [Fact]
    public async Task Queue_ListsApprovalsAndVelocityHolds_OldestFirst_UntilModerated()
    {
        var id = await CreateProgramAsync(new
        {
            rules = new { review = new { points = 50, requiresApproval = true }, vote = new { points = 1 } },
            velocity = new { maxPerMinute = 1 },
        });
        var review = IdOf(await RecordAsync(id, "alice", "review"));
        Factory.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("awarded", (await RecordAsync(id, "bob", "vote")).GetProperty("status").GetString());
        var held = IdOf(await RecordAsync(id, "bob", "vote"));
        Factory.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = IdOf(await RecordAsync(id, "carol", "review"));

        var queue = await QueueAsync(id);
        Assert.Equal([review, held, second], Ids(queue));
        Assert.Equal(3, queue.GetProperty("total").GetInt64());
        Assert.Equal("velocity", queue.GetProperty("activities")[1].GetProperty("reason").GetString());
        Assert.Equal("bob", queue.GetProperty("activities")[1].GetProperty("memberId").GetString());
        Assert.Equal([held], Ids(await QueueAsync(id, "offset=1&limit=1")));

        await PostJsonAsync($"/v1/programs/{id}/activities/{review}/approve", null, HttpStatusCode.OK);
        await PostJsonAsync($"/v1/programs/{id}/activities/{held}/reject", new { reason = "bot" }, HttpStatusCode.OK);
        Assert.Equal([second], Ids(await QueueAsync(id)));

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/members/carol")).StatusCode);
        var empty = await QueueAsync(id);
        Assert.Empty(Ids(empty));
        Assert.Equal(0, empty.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task BulkModeration_AnswersEachId_InOrder()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50, "requiresApproval": true }, "share": { "points": 5 } }""");
        var other = await CreateProgramAsync("""{ "review": { "points": 50, "requiresApproval": true } }""");
        var unknown = IdOf(await RecordAsync(other, "alice", "review")); // pending in another program: not found here
        var first = IdOf(await RecordAsync(id, "alice", "review", "p-1"));
        var second = IdOf(await RecordAsync(id, "alice", "review", "p-2"));
        var awarded = IdOf(await RecordAsync(id, "alice", "share"));
        var suspended = IdOf(await RecordAsync(id, "bob", "review"));
        await PostJsonAsync($"/v1/programs/{id}/members/bob/suspend", null, HttpStatusCode.OK);

        var answer = await PostJsonAsync($"/v1/programs/{id}/activities:moderate",
            new { action = "approve", activityIds = new[] { first, awarded, second, suspended, unknown } }, HttpStatusCode.OK);

        var results = answer.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([first, awarded, second, suspended, unknown], results.Select(r => r.GetProperty("activityId").GetString()));
        Assert.Equal(["done", "conflict", "done", "conflict", "not_found"], results.Select(r => r.GetProperty("outcome").GetString()));
        Assert.Equal("awarded", results[0].GetProperty("result").GetProperty("status").GetString());
        Assert.Contains("awarded", results[1].GetProperty("detail").GetString());
        Assert.Contains("suspended", results[3].GetProperty("detail").GetString());
        Assert.Equal(105, (await GetMemberAsync(id, "alice")).GetProperty("balance").GetInt64());
        Assert.Equal([suspended], Ids(await QueueAsync(id)));

        var rejected = await PostJsonAsync($"/v1/programs/{id}/activities:moderate",
            new { action = "reject", activityIds = new[] { first, unknown }, reason = "late" }, HttpStatusCode.OK);
        Assert.Equal(["conflict", "not_found"], rejected.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("outcome").GetString()));
    }

    public static TheoryData<string, string> BadBatches => new()
    {
        { """{ "action": "reverse", "activityIds": ["a"] }""", "action" },
        { """{ "activityIds": ["a"] }""", "action" },
        { """{ "action": "approve", "activityIds": [] }""", "activityIds" },
        { """{ "action": "approve" }""", "activityIds" },
        { """{ "action": "approve", "activityIds": ["a", "a"] }""", "activityIds" },
        { $$"""{ "action": "approve", "activityIds": [{{string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"a{i}\""))}}] }""", "activityIds" },
        { """{ "action": "reject", "activityIds": ["a"], "reason": "   " }""", "reason" },
        { """{ "action": "approve", "activityIds": ["a", "../x"] }""", "activityIds" },
    };

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task BadBatches_AreRefused_AndChangeNothing(string json, string field)
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50, "requiresApproval": true } }""");
        var pending = IdOf(await RecordAsync(id, "alice", "review"));
        var response = await Client.PostAsync($"/v1/programs/{id}/activities:moderate",
            new StringContent(json.Replace("\"a\"", $"\"{pending}\""), System.Text.Encoding.UTF8, "application/json"));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal([pending], Ids(await QueueAsync(id)));
    }

    [Fact]
    public async Task Queue_AndBulkModeration_NeedTheActivitiesScope()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50, "requiresApproval": true } }""");
        var pending = IdOf(await RecordAsync(id, "alice", "review"));
        var reader = await ClientOfProgramAsync(id, Scopes.Read, Scopes.Perks);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync($"/v1/programs/{id}/activities/pending")).StatusCode);
        var refused = await reader.PostAsJsonAsync($"/v1/programs/{id}/activities:moderate", new { action = "approve", activityIds = new[] { pending } });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var moderator = await ClientOfProgramAsync(id, Scopes.Activities);
        Assert.Equal(HttpStatusCode.OK, (await moderator.GetAsync($"/v1/programs/{id}/activities/pending")).StatusCode);
    }
}
