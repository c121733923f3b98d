using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Programs;

/// <summary>PATCH /v1/programs/{id}: JSON Merge Patch (RFC 7396) over the stored settings, validated like a PUT.</summary>
public sealed class ProgramPatchTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private Task<HttpResponseMessage> PatchAsync(string programId, string json, string contentType = "application/merge-patch+json") =>
        Client.PatchAsync($"/v1/programs/{programId}", new StringContent(json, Encoding.UTF8, contentType));

    private async Task<JsonElement> PatchOkAsync(string programId, string json)
    {
        var response = await PatchAsync(programId, json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private Task<string> CreateTieredProgramAsync() => CreateProgramAsync(new
    {
        rules = new { review = new { points = 50, dailyCap = 3 }, share = new { points = 10, cooldownSeconds = 60 } },
        tiers = new[] { new { name = "Bronze", minLifetimePoints = 0 }, new { name = "Gold", minLifetimePoints = 500 } },
        velocity = new { maxPerMinute = 20 },
    });

    [Fact]
    public async Task Patch_ChangingOneRule_KeepsTheOtherRulesAndTheTiers()
    {
        var id = await CreateTieredProgramAsync();

        var program = await PatchOkAsync(id, """{ "rules": { "review": { "points": 80 } } }""");

        var rules = program.GetProperty("rules");
        Assert.Equal(80, rules.GetProperty("review").GetProperty("points").GetInt32());
        Assert.Equal(3, rules.GetProperty("review").GetProperty("dailyCap").GetInt32());
        Assert.Equal(60, rules.GetProperty("share").GetProperty("cooldownSeconds").GetInt32());
        Assert.Equal(["Bronze", "Gold"], program.GetProperty("tiers").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(20, program.GetProperty("velocity").GetProperty("maxPerMinute").GetInt32());
        // Saved through the same script as a PUT: the award path sees the new rule.
        var awarded = await RecordAsync(id, "m1", "review", "r1");
        Assert.Equal(80, awarded.GetProperty("points").GetInt32());
    }

    [Fact]
    public async Task Patch_NullRemovesAMember_AndArraysReplace()
    {
        var id = await CreateTieredProgramAsync();

        var program = await PatchOkAsync(id, """
            { "rules": { "review": { "dailyCap": null } }, "velocity": null,
              "tiers": [ { "name": "Member", "minLifetimePoints": 0 } ] }
            """);

        Assert.False(program.GetProperty("rules").GetProperty("review").TryGetProperty("dailyCap", out _));
        Assert.Equal(50, program.GetProperty("rules").GetProperty("review").GetProperty("points").GetInt32());
        Assert.False(program.TryGetProperty("velocity", out var velocity) && velocity.ValueKind != JsonValueKind.Null);
        Assert.Equal(["Member"], program.GetProperty("tiers").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        var stored = await GetJsonAsync($"/v1/programs/{id}");
        Assert.Equal(["Member"], stored.GetProperty("tiers").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Put_StillReplacesEverything_WhilePatchBumpsTheVersionLikeIt()
    {
        var id = await CreateTieredProgramAsync();
        var response = await Client.PutAsJsonAsync($"/v1/programs/{id}", new { name = "Renamed", timeZone = "UTC", rules = new { review = new { points = 5 } } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var program = await GetJsonAsync($"/v1/programs/{id}");
        Assert.Empty(program.GetProperty("tiers").EnumerateArray());
        Assert.False(program.GetProperty("rules").TryGetProperty("share", out _));
    }

    [Theory]
    [InlineData("""{ "rules": { "review": { "points": 0 } } }""", "rules.review.points")]
    [InlineData("""{ "timeZone": "Mars/Olympus" }""", "timeZone")]
    [InlineData("""{ "name": null }""", "name")]
    [InlineData("""{ "id": "another" }""", "id")]
    [InlineData("""{ "tiers": [ { "name": "Gold", "minLifetimePoints": 500 }, { "name": "Gold", "minLifetimePoints": 900 } ] }""", "tiers")]
    public async Task Patch_IsValidatedLikeAPut_AndChangesNothing(string patch, string field)
    {
        var id = await CreateTieredProgramAsync();
        var before = (await GetJsonAsync($"/v1/programs/{id}")).GetRawText();

        var response = await PatchAsync(id, patch);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.Contains(errors.EnumerateObject(), e => e.Name.StartsWith(field, StringComparison.Ordinal));
        Assert.Equal(before, (await GetJsonAsync($"/v1/programs/{id}")).GetRawText());
    }

    [Theory]
    [InlineData("""{ "rules": { "review": { "pts": 80 } } }""")]
    [InlineData("""{ "removedTypes": {} }""")]
    [InlineData("""[ { "op": "replace", "path": "/name", "value": "x" } ]""")]
    [InlineData("""{ "name": """)]
    public async Task Patch_RefusesUnknownFieldsAndNonObjects(string patch)
    {
        var id = await CreateTieredProgramAsync();
        await AssertProblemAsync(await PatchAsync(id, patch), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Patch_RequiresTheMergePatchMediaType()
    {
        var id = await CreateTieredProgramAsync();

        var response = await PatchAsync(id, """{ "name": "x" }""", "application/json");

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("application/merge-patch+json", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Patch_OfAnUnknownProgram_Is404()
    {
        await AssertProblemAsync(await PatchAsync(NewId("p"), """{ "name": "x" }"""), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task RemovedActivityType_KeepsItsBoardsReadable_ButEarnsNothing()
    {
        var id = await CreateTieredProgramAsync();
        await RecordAsync(id, "m1", "share");
        var week = await GetJsonAsync($"/v1/programs/{id}/leaderboards/share?window=week");
        var period = week.GetProperty("period").GetString();

        var program = await PatchOkAsync(id, """{ "rules": { "share": null } }""");

        Assert.False(program.GetProperty("rules").TryGetProperty("share", out _));
        Assert.True(program.GetProperty("removedTypes").TryGetProperty("share", out _));
        foreach (var url in new[] { "", "?window=week", $"?window=week&period={period}", "?window=month", "?window=day" })
        {
            var board = await GetJsonAsync($"/v1/programs/{id}/leaderboards/share{url}");
            Assert.Equal("m1", board.GetProperty("entries")[0].GetProperty("memberId").GetString());
        }
        await GetJsonAsync($"/v1/programs/{id}/leaderboards/share/members/m1");
        var refused = await PostActivityAsync(id, new { memberId = "m1", type = "share" });
        Assert.True((int)refused.StatusCode is >= 400 and < 500, $"{(int)refused.StatusCode}");

        // Once retention has passed (12 monthly periods by default), the board is gone like any unknown one.
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddDays(31 * 14));
        await GetJsonAsync($"/v1/programs/{id}/leaderboards/share", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ActivityTypeAddedBack_LeavesTheRemovedList()
    {
        var id = await CreateTieredProgramAsync();
        await PatchOkAsync(id, """{ "rules": { "share": null } }""");

        var program = await PatchOkAsync(id, """{ "rules": { "share": { "points": 15 } } }""");

        Assert.False(program.GetProperty("removedTypes").TryGetProperty("share", out _));
        Assert.Equal(15, (await RecordAsync(id, "m1", "share")).GetProperty("points").GetInt32());
    }

    [Fact]
    public async Task PutThatDropsAType_AlsoKeepsItsBoardReadable()
    {
        var id = await CreateTieredProgramAsync();
        await RecordAsync(id, "m1", "share");

        var response = await Client.PutAsJsonAsync($"/v1/programs/{id}", new { name = "P", timeZone = "Europe/Paris", rules = new { review = new { points = 5 } } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await GetJsonAsync($"/v1/programs/{id}/leaderboards/share");
        await GetJsonAsync($"/v1/programs/{id}/leaderboards/review");
        await GetJsonAsync($"/v1/programs/{id}/leaderboards/never", HttpStatusCode.NotFound);
    }
}
