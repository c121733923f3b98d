using System.Net;
using System.Text.Json;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Activities;

public sealed class AwardRulesTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private static void AssertOutcome(JsonElement answer, string status, string? reason, int points)
    {
        Assert.Equal(status, answer.GetProperty("status").GetString());
        Assert.Equal(reason, answer.TryGetProperty("reason", out var r) ? r.GetString() : null);
        Assert.Equal(points, answer.GetProperty("points").GetInt32());
    }

    [Fact]
    public async Task Award_AddsPoints_AndAnswersNewTotals()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");

        var answer = await RecordAsync(id, "m-1", "review", "product-42");

        AssertOutcome(answer, "awarded", null, 50);
        Assert.Equal(50, answer.GetProperty("balance").GetInt64());
        Assert.Equal(50, answer.GetProperty("lifetimePoints").GetInt64());
        var activityId = answer.GetProperty("activityId").GetString();
        var activity = await GetJsonAsync($"/v1/programs/{id}/activities/{activityId}");
        Assert.Equal("product-42", activity.GetProperty("targetId").GetString());
        Assert.Equal("awarded", activity.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Award_IsRejected_WhenDailyCapReached_AndCountsAgainAfterLocalMidnight()
    {
        // Europe/Paris is UTC+1 in November: local midnight of 19 Nov is 18 Nov 23:00 UTC.
        var id = await CreateProgramAsync("""{ "review": { "points": 50, "dailyCap": 3 } }""");
        Factory.SetUtcNow(new DateTimeOffset(2026, 11, 18, 23, 30, 0, TimeSpan.Zero));
        var lateEvening = new DateTimeOffset(2026, 11, 18, 22, 50, 0, TimeSpan.Zero);

        for (var i = 0; i < 3; i++)
        {
            AssertOutcome(await RecordAsync(id, "m-1", "review", $"p-{i}", lateEvening.AddMinutes(i)), "awarded", null, 50);
        }
        var overCap = await RecordAsync(id, "m-1", "review", "p-3", new DateTimeOffset(2026, 11, 18, 22, 59, 59, TimeSpan.Zero));
        var nextLocalDay = await RecordAsync(id, "m-1", "review", "p-4", new DateTimeOffset(2026, 11, 18, 23, 0, 0, TimeSpan.Zero));

        AssertOutcome(overCap, "rejected", "daily_cap_reached", 0);
        Assert.Equal(150, overCap.GetProperty("balance").GetInt64());
        AssertOutcome(nextLocalDay, "awarded", null, 50);
        Assert.Equal(200, nextLocalDay.GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task Award_IsRejected_WhenWeeklyCapReached_AndWeekStartsMondayLocalTime()
    {
        // Monday 23 Nov 2026 00:00 in Paris is Sunday 22 Nov 23:00 UTC.
        var id = await CreateProgramAsync("""{ "vote": { "points": 2, "weeklyCap": 2 } }""");
        Factory.SetUtcNow(new DateTimeOffset(2026, 11, 22, 23, 30, 0, TimeSpan.Zero));
        var sunday = new DateTimeOffset(2026, 11, 22, 22, 0, 0, TimeSpan.Zero);

        AssertOutcome(await RecordAsync(id, "m-1", "vote", occurredAt: new DateTimeOffset(2026, 11, 16, 9, 0, 0, TimeSpan.Zero)), "awarded", null, 2);
        AssertOutcome(await RecordAsync(id, "m-1", "vote", occurredAt: sunday), "awarded", null, 2);
        AssertOutcome(await RecordAsync(id, "m-1", "vote", occurredAt: sunday.AddMinutes(59)), "rejected", "weekly_cap_reached", 0);
        AssertOutcome(await RecordAsync(id, "m-1", "vote", occurredAt: sunday.AddHours(1)), "awarded", null, 2);
    }

    [Fact]
    public async Task Award_IsRejected_WhenTargetAlreadyUsed()
    {
        var id = await CreateProgramAsync("""{ "vote": { "points": 2, "uniquePerTarget": true } }""");

        AssertOutcome(await RecordAsync(id, "m-1", "vote", "item-1"), "awarded", null, 2);
        AssertOutcome(await RecordAsync(id, "m-1", "vote", "item-1"), "rejected", "duplicate_target", 0);
        AssertOutcome(await RecordAsync(id, "m-1", "vote", "item-2"), "awarded", null, 2);
        AssertOutcome(await RecordAsync(id, "m-2", "vote", "item-1"), "awarded", null, 2);
    }

    [Fact]
    public async Task UniquePerTarget_RequiresTargetId()
    {
        var id = await CreateProgramAsync("""{ "vote": { "points": 2, "uniquePerTarget": true } }""");
        await AssertProblemAsync(await PostActivityAsync(id, new { memberId = "m-1", type = "vote" }), HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Award_IsRejected_DuringCooldown()
    {
        var id = await CreateProgramAsync("""{ "share": { "points": 10, "cooldownSeconds": 60 } }""");
        var t = RewardsApiFactory.DefaultNow.AddMinutes(-10);

        AssertOutcome(await RecordAsync(id, "m-1", "share", occurredAt: t), "awarded", null, 10);
        AssertOutcome(await RecordAsync(id, "m-1", "share", occurredAt: t.AddSeconds(59)), "rejected", "cooldown", 0);
        AssertOutcome(await RecordAsync(id, "m-1", "share", occurredAt: t.AddSeconds(60)), "awarded", null, 10);
        AssertOutcome(await RecordAsync(id, "m-2", "share", occurredAt: t.AddSeconds(1)), "awarded", null, 10);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // pending activities hold the cooldown too
    public async Task Award_IsRejected_DuringCooldown_AfterABackdatedActivity(bool requiresApproval)
    {
        var id = await CreateProgramAsync($$"""{ "share": { "points": 10, "cooldownSeconds": 60, "requiresApproval": {{(requiresApproval ? "true" : "false")}} } }""");
        var t = RewardsApiFactory.DefaultNow.AddHours(-1);
        var accepted = requiresApproval ? "pending" : "awarded";
        var points = requiresApproval ? 0 : 10;

        AssertOutcome(await RecordAsync(id, "m-1", "share", occurredAt: t), accepted, null, points);
        AssertOutcome(await RecordAsync(id, "m-1", "share", occurredAt: t.AddSeconds(-1000)), accepted, null, points);
        // Measured against the latest activity (t), not against the backdated one that arrived last.
        AssertOutcome(await RecordAsync(id, "m-1", "share", occurredAt: t.AddSeconds(30)), "rejected", "cooldown", 0);
        AssertOutcome(await RecordAsync(id, "m-1", "share", occurredAt: t.AddSeconds(60)), accepted, null, points);
    }

    [Fact]
    public async Task OccurredAt_DefaultsToNow()
    {
        var id = await CreateProgramAsync("""{ "share": { "points": 1 } }""");
        var now = RewardsApiFactory.DefaultNow.AddDays(-3).AddMilliseconds(123_456); // far from the real clock, to the millisecond
        Factory.SetUtcNow(now);

        var answer = await PostActivityAsync(id, new { memberId = "m-1", type = "share" });
        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        var activityId = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("activityId").GetString();

        var activity = await GetJsonAsync($"/v1/programs/{id}/activities/{activityId}");
        Assert.Equal(now, activity.GetProperty("occurredAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task RejectedActivity_IsInLedger_WithReason_AndZeroPoints()
    {
        var id = await CreateProgramAsync("""{ "vote": { "points": 2, "uniquePerTarget": true } }""");
        await RecordAsync(id, "m-1", "vote", "item-1");
        await RecordAsync(id, "m-1", "vote", "item-1");

        var ledger = await GetLedgerAsync(id, "m-1");

        Assert.Equal(["rejection", "award"], ledger.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal("duplicate_target", ledger[0].GetProperty("reason").GetString());
        Assert.Equal(0, ledger[0].GetProperty("points").GetInt64());
        Assert.Equal(2, ledger[0].GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task UnknownActivityType_IsUnprocessable_AndWritesNothing()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");

        await AssertProblemAsync(await PostActivityAsync(id, new { memberId = "m-1", type = "dance" }), HttpStatusCode.UnprocessableEntity);

        await GetJsonAsync($"/v1/programs/{id}/members/m-1", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OccurredAt_IsBounded_FiveMinutesAheadAndSevenDaysBack()
    {
        var id = await CreateProgramAsync("""{ "share": { "points": 1 } }""");
        var now = RewardsApiFactory.DefaultNow;

        await AssertProblemAsync(await PostActivityAsync(id, new { memberId = "m-1", type = "share", occurredAt = now.AddMinutes(5).AddSeconds(1) }),
            HttpStatusCode.UnprocessableEntity);
        await AssertProblemAsync(await PostActivityAsync(id, new { memberId = "m-1", type = "share", occurredAt = now.AddDays(-7).AddSeconds(-1) }),
            HttpStatusCode.UnprocessableEntity);
        await GetJsonAsync($"/v1/programs/{id}/members/m-1", HttpStatusCode.NotFound);

        AssertOutcome(await RecordAsync(id, "m-1", "share", occurredAt: now.AddMinutes(5)), "awarded", null, 1);
        AssertOutcome(await RecordAsync(id, "m-1", "share", occurredAt: now.AddDays(-7)), "awarded", null, 1);
    }

    [Fact]
    public async Task UnknownProgram_IsNotFound()
    {
        await AssertProblemAsync(await PostActivityAsync("no-such-program", new { memberId = "m-1", type = "review" }), HttpStatusCode.NotFound);
    }
}
