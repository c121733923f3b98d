using System.Net;
using System.Text.Json;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Programs;

/// <summary>GET .../card: how to earn, tiers, badges and boards, for apps (member tokens) and readers; nothing private.</summary>
public sealed class ProgramCardTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private Task<string> CreateRichProgramAsync() => CreateProgramAsync(new
    {
        timeZone = "America/New_York",
        rules = new
        {
            review = new { points = 50, dailyCap = 2, requiresApproval = true },
            share = new { points = 10, weeklyCap = 5, cooldownSeconds = 60, uniquePerTarget = true },
        },
        leaderboardRetention = 6,
        tiers = new[] { new { name = "Bronze", minLifetimePoints = 0 }, new { name = "Gold", minLifetimePoints = 500 } },
        badges = new object[]
        {
            new { id = "first-review", name = "First review", when = new { activityType = "review", count = 1 } },
            new { id = "week-streak", name = "7 days in a row", when = new { streakDays = 7 } },
        },
        velocity = new { maxPerMinute = 30 },
        cors = new { allowedOrigins = new[] { "https://shop.example" } },
    });

    private static void AssertCard(JsonElement card, string program)
    {
        Assert.Equal(program, card.GetProperty("id").GetString());
        Assert.Equal("America/New_York", card.GetProperty("timeZone").GetString());
        var activities = card.GetProperty("activities").EnumerateArray().ToDictionary(a => a.GetProperty("type").GetString()!);
        Assert.Equal((50, 2, true), (activities["review"].GetProperty("points").GetInt32(), activities["review"].GetProperty("dailyCap").GetInt32(),
            activities["review"].GetProperty("requiresApproval").GetBoolean()));
        Assert.Equal((10, 5, 60, true, false), (activities["share"].GetProperty("points").GetInt32(), activities["share"].GetProperty("weeklyCap").GetInt32(),
            activities["share"].GetProperty("cooldownSeconds").GetInt32(), activities["share"].GetProperty("uniquePerTarget").GetBoolean(),
            activities["share"].GetProperty("requiresApproval").GetBoolean()));
        Assert.Equal([("Bronze", 0L), ("Gold", 500L)], card.GetProperty("tiers").EnumerateArray()
            .Select(t => (t.GetProperty("name").GetString(), t.GetProperty("minLifetimePoints").GetInt64())));
        var badges = card.GetProperty("badges").EnumerateArray().ToDictionary(b => b.GetProperty("id").GetString()!);
        Assert.Equal(("review", 1), (badges["first-review"].GetProperty("when").GetProperty("activityType").GetString(),
            badges["first-review"].GetProperty("when").GetProperty("count").GetInt32()));
        Assert.Equal(7, badges["week-streak"].GetProperty("when").GetProperty("streakDays").GetInt32());
        var boards = card.GetProperty("leaderboards").EnumerateArray().ToList();
        Assert.Equal(["points", "review", "share"], boards.Select(b => b.GetProperty("board").GetString()));
        Assert.All(boards, b => Assert.Equal(["all", "day", "week", "month"], b.GetProperty("windows").EnumerateArray().Select(w => w.GetString())));
        Assert.All(boards, b => Assert.Equal(6, b.GetProperty("pastPeriods").GetInt32()));
        // Nothing an operator keeps to itself.
        foreach (var secret in new[] { "velocity", "cors", "clients", "version", "createdAt", "updatedAt" })
        {
            Assert.False(card.TryGetProperty(secret, out _), $"the card shows '{secret}'");
        }
    }

    [Fact]
    public async Task Card_IsReadable_WithAMemberToken()
    {
        var program = await CreateRichProgramAsync();
        await RecordAsync(program, "m-1", "share", targetId: "t1");
        var (id, secret) = await CreateApiClientAsync(program, Scopes.Activities);
        using var member = Factory.CreateClient(await Factory.TokenAsync(id, secret, grantType: MemberGrant.Type, memberId: "m-1"));

        var response = await member.GetAsync($"/v1/programs/{program}/card");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertCard(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement, program);
        // The member still cannot read the settings themselves.
        await AssertProblemAsync(await member.GetAsync($"/v1/programs/{program}"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Card_IsReadable_WithRewardsRead()
    {
        var program = await CreateRichProgramAsync();
        using var reader = await ClientOfProgramAsync(program, Scopes.Read);

        var response = await reader.GetAsync($"/v1/programs/{program}/card");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertCard(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement, program);
    }

    [Fact]
    public async Task Card_Is403_WithoutAReadingScope_404_ForAnotherProgram_And401_Anonymously()
    {
        var program = await CreateRichProgramAsync();
        var other = await CreateProgramAsync("""{ "review": { "points": 5 } }""");
        using var perks = await ClientOfProgramAsync(program, Scopes.Perks);
        using var reader = await ClientOfProgramAsync(program, Scopes.Read);
        using var anonymous = Factory.CreateClient();

        await AssertProblemAsync(await perks.GetAsync($"/v1/programs/{program}/card"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await reader.GetAsync($"/v1/programs/{other}/card"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await Client.GetAsync("/v1/programs/no-such-program/card"), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/v1/programs/{program}/card")).StatusCode);
    }

    [Fact]
    public async Task Card_OfAProgramWithoutGamification_HasEmptyLists_AndThePointsBoard()
    {
        var program = await CreateProgramAsync("{}");

        var card = await GetJsonAsync($"/v1/programs/{program}/card");

        Assert.Equal(0, card.GetProperty("activities").GetArrayLength());
        Assert.Equal(0, card.GetProperty("tiers").GetArrayLength());
        Assert.Equal(0, card.GetProperty("badges").GetArrayLength());
        Assert.Equal("points", Assert.Single(card.GetProperty("leaderboards").EnumerateArray()).GetProperty("board").GetString());
    }
}
