using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Programs;

public sealed class ProgramsTests(RewardsApiFactory factory) : ApiTest(factory)
{
    [Fact]
    public async Task CreatedProgram_IsReturnedWithItsRules()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50, "dailyCap": 3, "uniquePerTarget": true }, "share": { "points": 10, "cooldownSeconds": 60 } }""");

        var program = await GetJsonAsync($"/v1/programs/{id}");

        Assert.Equal(id, program.GetProperty("id").GetString());
        Assert.Equal("Europe/Paris", program.GetProperty("timeZone").GetString());
        var review = program.GetProperty("rules").GetProperty("review");
        Assert.Equal(50, review.GetProperty("points").GetInt32());
        Assert.Equal(3, review.GetProperty("dailyCap").GetInt32());
        Assert.True(review.GetProperty("uniquePerTarget").GetBoolean());
        Assert.Equal(60, program.GetProperty("rules").GetProperty("share").GetProperty("cooldownSeconds").GetInt32());
    }

    [Fact]
    public async Task CreateProgram_Conflicts_WhenIdExists()
    {
        var id = await CreateProgramAsync("{}");
        var response = await Client.PostAsJsonAsync("/v1/programs", new { id, name = "Again", timeZone = "UTC", rules = new { } });
        await AssertProblemAsync(response, HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("""{ "id": "bad id!", "name": "x", "timeZone": "UTC", "rules": {} }""", "id")]
    [InlineData("""{ "id": "ok", "name": "x", "timeZone": "Mars/Olympus", "rules": {} }""", "timeZone")]
    [InlineData("""{ "id": "ok", "name": "x", "timeZone": "Romance Standard Time", "rules": {} }""", "timeZone")]
    [InlineData("""{ "id": "ok", "name": "", "timeZone": "UTC", "rules": {} }""", "name")]
    [InlineData("""{ "id": "ok", "name": "x", "timeZone": "UTC", "rules": { "review": { "points": 0 } } }""", "rules.review.points")]
    [InlineData("""{ "id": "ok", "name": "x", "timeZone": "UTC", "rules": { "review": { "points": 1000001 } } }""", "rules.review.points")]
    [InlineData("""{ "id": "ok", "name": "x", "timeZone": "UTC", "rules": { "review": { "points": 5, "dailyCap": 0 } } }""", "rules.review.dailyCap")]
    [InlineData("""{ "id": "ok", "name": "x", "timeZone": "UTC", "rules": { "Bad Type": { "points": 5 } } }""", "rules")]
    [InlineData("""{ "id": "ok", "name": "x", "timeZone": "UTC" }""", "rules")]
    public async Task CreateProgram_IsRefused_WithFieldError(string json, string field)
    {
        var response = await Client.PostAsync("/v1/programs", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.NotNull(problem["errors"]![field]);
        await GetJsonAsync("/v1/programs/ok", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UpdateProgram_ReplacesSettings()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");

        var response = await Client.PutAsJsonAsync($"/v1/programs/{id}", new
        {
            name = "Renamed", timeZone = "America/New_York", rules = new { vote = new { points = 2, weeklyCap = 100 } },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var program = await GetJsonAsync($"/v1/programs/{id}");
        Assert.Equal("Renamed", program.GetProperty("name").GetString());
        Assert.Equal("America/New_York", program.GetProperty("timeZone").GetString());
        Assert.False(program.GetProperty("rules").TryGetProperty("review", out _));
        Assert.Equal(100, program.GetProperty("rules").GetProperty("vote").GetProperty("weeklyCap").GetInt32());
    }

    [Fact]
    public async Task UpdateProgram_IsRefused_WhenBodyIdDiffersFromUrl()
    {
        var id = await CreateProgramAsync("{}");
        var response = await Client.PutAsJsonAsync($"/v1/programs/{id}", new { id = "other", name = "x", timeZone = "UTC", rules = new { } });
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task UnknownProgram_IsNotFound()
    {
        await GetJsonAsync("/v1/programs/does-not-exist", HttpStatusCode.NotFound);
        var response = await Client.PutAsJsonAsync("/v1/programs/does-not-exist", new { name = "x", timeZone = "UTC", rules = new { } });
        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ChangedRules_ApplyToLaterActivitiesOnly()
    {
        var id = await CreateProgramAsync("""{ "share": { "points": 10 } }""");
        await RecordAsync(id, "m-1", "share");

        await Client.PutAsJsonAsync($"/v1/programs/{id}", new { name = "x", timeZone = "Europe/Paris", rules = new { share = new { points = 25 } } });
        var second = await RecordAsync(id, "m-1", "share");

        Assert.Equal(25, second.GetProperty("points").GetInt32());
        Assert.Equal(35, second.GetProperty("balance").GetInt32());
        var ledger = await GetLedgerAsync(id, "m-1");
        Assert.Equal([25, 10], ledger.Select(e => e.GetProperty("points").GetInt32()));
    }
}
