using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rewards.Api.Features.Activities;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Activities;

/// <summary>POST .../activities:batch: per-item keys and answers, in order, through the award script in chunks.</summary>
public sealed class BatchTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private const string Rules = """{ "review": { "points": 50, "dailyCap": 2 }, "share": { "points": 10 } }""";

    private async Task<JsonElement[]> BatchAsync(string programId, params object[] activities)
    {
        var body = await PostJsonAsync($"/v1/programs/{programId}/activities:batch", new { activities }, HttpStatusCode.OK);
        return [.. body.GetProperty("results").EnumerateArray()];
    }

    private static int Status(JsonElement result) => result.GetProperty("status").GetInt32();

    [Fact]
    public async Task Batch_AnswersEachItemInOrder_AndAnInvalidItemDoesNotSinkTheOthers()
    {
        var id = await CreateProgramAsync(Rules);

        var results = await BatchAsync(id,
            new { idempotencyKey = "k1", memberId = "ana", type = "review" },
            new { idempotencyKey = "k2", memberId = "bad id!", type = "review" },
            new { idempotencyKey = "k3", memberId = "ana", type = "unknown" },
            new { idempotencyKey = "k4", memberId = "ana", type = "review" },
            new { idempotencyKey = "k5", memberId = "ana", type = "review" }, // third review of the day: the daily cap
            new { memberId = "ana", type = "share" });

        Assert.Equal([0, 1, 2, 3, 4, 5], results.Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal([201, 400, 422, 201, 201, 400], results.Select(Status));
        Assert.Equal(50, results[0].GetProperty("activity").GetProperty("points").GetInt64());
        Assert.Equal(100, results[3].GetProperty("activity").GetProperty("balance").GetInt64());
        Assert.Equal("rejected", results[4].GetProperty("activity").GetProperty("status").GetString());
        Assert.True(results[1].GetProperty("problem").GetProperty("errors").TryGetProperty("memberId", out _));
        Assert.Contains("unknown", results[2].GetProperty("problem").GetProperty("detail").GetString());
        Assert.True(results[5].GetProperty("problem").GetProperty("errors").TryGetProperty("idempotencyKey", out _));
        Assert.Equal(100, (await GetMemberAsync(id, "ana")).GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task Batch_IsIdempotentPerItem_AndAgreesWithTheSingleEndpoint()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordSingleAsync(id, "single-key", "bo", "share");

        var first = await BatchAsync(id,
            new { idempotencyKey = "single-key", memberId = "bo", type = "share" },
            new { idempotencyKey = "b1", memberId = "bo", type = "share" });
        var again = await BatchAsync(id,
            new { idempotencyKey = "b1", memberId = "bo", type = "share" },
            new { idempotencyKey = "b2", memberId = "cy", type = "share" },
            new { idempotencyKey = "b1x", memberId = "bo", type = "share" });
        var conflict = await BatchAsync(id, new { idempotencyKey = "b2", memberId = "cy", type = "review" });

        Assert.True(first[0].GetProperty("replayed").GetBoolean());
        Assert.False(first[1].GetProperty("replayed").GetBoolean());
        Assert.True(again[0].GetProperty("replayed").GetBoolean());
        Assert.Equal(first[1].GetProperty("activity").GetProperty("activityId").GetString(), again[0].GetProperty("activity").GetProperty("activityId").GetString());
        Assert.Equal(409, Status(conflict[0]));
        Assert.Equal(30, (await GetMemberAsync(id, "bo")).GetProperty("balance").GetInt64());
        // The batch's key is the single endpoint's key: a single retry of a batch item is a replay.
        var retry = await PostActivityAsync(id, new { memberId = "cy", type = "share" }, "b2");
        Assert.Equal("true", retry.Headers.GetValues(RecordActivity.ReplayedHeader).Single());
    }

    private async Task RecordSingleAsync(string programId, string key, string memberId, string type)
    {
        var response = await PostActivityAsync(programId, new { memberId, type }, key);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task DuplicateKeysInOneBatch_AreRefused_AndNothingIsRecorded()
    {
        var id = await CreateProgramAsync(Rules);

        var response = await Client.PostAsJsonAsync($"/v1/programs/{id}/activities:batch", new
        {
            activities = new[]
            {
                new { idempotencyKey = "same", memberId = "ana", type = "share" },
                new { idempotencyKey = "other", memberId = "ana", type = "share" },
                new { idempotencyKey = "same", memberId = "bo", type = "share" },
            },
        });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("activities[2].idempotencyKey", text);
        Assert.Contains("activities[0]", text);
        await GetJsonAsync($"/v1/programs/{id}/members/ana", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ThousandActivities_AreRecorded_InChunksOfTheAwardScript_AndOneMoreIsRefused()
    {
        var id = await CreateProgramAsync(Rules);
        var items = Enumerable.Range(0, ActivityLimits.MaxBatchActivities)
            .Select(i => new { idempotencyKey = $"sync-{i:D4}", memberId = $"m{i % 50}", type = "share", targetId = $"post-{i}-with-a-longer-target-id" })
            .ToArray();

        var results = await BatchAsync(id, items);

        Assert.All(results, r => Assert.Equal(201, Status(r)));
        Assert.Equal(200, (await GetMemberAsync(id, "m7")).GetProperty("balance").GetInt64());
        var board = await GetJsonAsync($"/v1/programs/{id}/leaderboards/points?limit=1");
        Assert.Equal(50, board.GetProperty("total").GetInt64());

        var tooMany = await Client.PostAsJsonAsync($"/v1/programs/{id}/activities:batch",
            new { activities = items.Append(new { idempotencyKey = "one-more", memberId = "m1", type = "share", targetId = "x" }) });
        await AssertProblemAsync(tooMany, HttpStatusCode.BadRequest);
        Assert.Contains($"{ActivityLimits.MaxBatchActivities:N0}", await tooMany.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task EmptyOrMissingActivities_AreRefused()
    {
        var id = await CreateProgramAsync(Rules);
        await AssertProblemAsync(await Client.PostAsJsonAsync($"/v1/programs/{id}/activities:batch", new { activities = Array.Empty<object>() }), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await Client.PostAsJsonAsync($"/v1/programs/{id}/activities:batch", new { }), HttpStatusCode.BadRequest);
    }
}
