using System.Net;
using System.Text;
using System.Text.Json;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Activities;

/// <summary>Issue 13: an instant without an offset is refused, not guessed; a cooldown refusal says when the next one counts.</summary>
public sealed class ActivityMessagesTests(RewardsApiFactory factory) : ApiTest(factory)
{
    [Theory]
    [InlineData("2026-11-18T09:00:00")]
    [InlineData("2026-11-18T09:00:00.123")]
    public async Task OccurredAt_WithoutAnOffset_IsRefused_AskingForZOrAnOffset(string occurredAt)
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var response = await PostReviewWithRawOccurredAtAsync(id, occurredAt, "no-offset");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();
        Assert.Equal($"occurredAt: '{occurredAt}' has no UTC offset: add 'Z' (UTC) or '±hh:mm' (e.g. '{occurredAt}Z' or '{occurredAt}+01:00').", detail);
        await GetJsonAsync($"/v1/programs/{id}/members/m-1", HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("2026-11-18T09:00:00Z")]
    [InlineData("2026-11-18T10:00:00+01:00")]
    [InlineData("2026-11-18T04:00:00-05:00")]
    public async Task OccurredAt_WithAnOffset_IsAccepted(string occurredAt)
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var response = await PostReviewWithRawOccurredAtAsync(id, occurredAt, "offset");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var activityId = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("activityId").GetString();
        var view = await GetJsonAsync($"/v1/programs/{id}/activities/{activityId}");
        Assert.Equal("2026-11-18T09:00:00.000+00:00", view.GetProperty("occurredAt").GetString());
    }

    [Fact]
    public async Task CooldownRefusal_SaysWhenTheNextOneCounts_AndSaysItAgainOnReplay()
    {
        var id = await CreateProgramAsync("""{ "checkin": { "points": 5, "cooldownSeconds": 3600 } }""");
        var first = RewardsApiFactory.DefaultNow.AddHours(-2);
        await RecordAsync(id, "m-1", "checkin", occurredAt: first);

        var key = Guid.NewGuid().ToString();
        var refused = await PostActivityAsync(id, new { memberId = "m-1", type = "checkin", occurredAt = first.AddMinutes(10) }, key);
        var replay = await PostActivityAsync(id, new { memberId = "m-1", type = "checkin", occurredAt = first.AddMinutes(10) }, key);

        foreach (var response in new[] { refused, replay })
        {
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("cooldown", body.GetProperty("reason").GetString());
            Assert.Equal("2026-11-18T09:00:00.000+00:00", body.GetProperty("retryAt").GetString());
        }
        var awarded = await RecordAsync(id, "m-1", "checkin", occurredAt: first.AddHours(1));
        Assert.Equal("awarded", awarded.GetProperty("status").GetString());
        Assert.False(awarded.TryGetProperty("retryAt", out _));
    }

    /// <summary>A review of m-1 whose occurredAt is sent exactly as written (no serializer in between).</summary>
    private Task<HttpResponseMessage> PostReviewWithRawOccurredAtAsync(string programId, string occurredAt, string idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{programId}/activities")
        {
            Content = new StringContent($$"""{ "memberId": "m-1", "type": "review", "occurredAt": "{{occurredAt}}" }""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return Client.SendAsync(request);
    }
}
