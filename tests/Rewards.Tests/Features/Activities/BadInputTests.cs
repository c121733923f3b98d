using Rewards.Api.Infrastructure.Redis;
using System.Net;
using System.Text;
using Rewards.Api.Features.Activities;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Activities;

public sealed class BadInputTests(RewardsApiFactory factory) : ApiTest(factory)
{
    public static TheoryData<string, int> Bodies => new()
    {
        { "{ not json", 400 },
        { "", 400 },
        { "[]", 400 },
        { """{ "memberId": 5, "type": "review" }""", 400 },
        { """{ "memberId": "m-1", "type": "review", "occurredAt": "yesterday" }""", 400 },
        { """{ "memberId": "m-1" }""", 400 },
        { """{ "type": "review" }""", 400 },
        { """{ "memberId": "bad id", "type": "review" }""", 400 },
        { """{ "memberId": "m:1{x}", "type": "review" }""", 400 },
        { """{ "memberId": "m-1", "type": "review", "targetId": "" }""", 400 },
        { """{ "memberId": "m-1", "type": "review", "extra": true }""", 400 },
        { """{ "memberId": "m-1", "type": "Review'); redis.call('FLUSHALL') --" }""", 400 },
        { "{ \"memberId\": \"m-1\", \"type\": \"review\", \"targetId\": \"" + new string('x', ActivityLimits.MaxTargetIdLength + 1) + "\" }", 400 },
        { "{ \"memberId\": \"" + new string('m', 65) + "\", \"type\": \"review\" }", 400 },
        { "{ \"memberId\": \"m-1\", \"type\": \"review\", \"targetId\": \"" + new string('x', 70_000) + "\" }", 413 },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task BadActivity_GetsProblem_AndWritesNothing(string json, int status)
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{id}/activities")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", "bad-input");

        var response = await Client.SendAsync(request);

        await AssertProblemAsync(response, (HttpStatusCode)status);
        await GetJsonAsync($"/v1/programs/{id}/members/m-1", HttpStatusCode.NotFound);
        var keys = await Factory.KeysAsync(RedisKeys.ProgramPattern(id));
        Assert.Equal([(string)RedisKeys.Program(id)!], keys);
    }

    [Fact]
    public async Task WrongContentType_IsRefused()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{id}/activities")
        {
            Content = new StringContent("memberId=m-1", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add("Idempotency-Key", "k");

        var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await GetJsonAsync($"/v1/programs/{id}/members/m-1", HttpStatusCode.NotFound);
    }
}
