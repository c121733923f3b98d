using System.Net;
using System.Text.Json;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Programs;

public sealed class ProgramListTests(RewardsApiFactory factory) : ApiTest(factory)
{
    [Fact]
    public async Task Programs_AreListedNewestFirst_Paged_WithTotal()
    {
        var first = await CreateProgramAsync("{}");
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddSeconds(1));
        var second = await CreateProgramAsync("{}");
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddSeconds(2));
        var third = await CreateProgramAsync("{}");

        // Other tests' programs share the index (some created later by the clock): read every page.
        var programs = new List<JsonElement>();
        long total;
        do
        {
            var chunk = await GetJsonAsync($"/v1/programs?limit=100&offset={programs.Count}");
            total = chunk.GetProperty("total").GetInt64();
            programs.AddRange(chunk.GetProperty("programs").EnumerateArray());
        } while (programs.Count < total);
        var ids = programs.Select(p => p.GetProperty("id").GetString()).ToList();
        Assert.True(ids.IndexOf(third) >= 0 && ids.IndexOf(third) < ids.IndexOf(second) && ids.IndexOf(second) < ids.IndexOf(first));
        var listed = programs.Single(p => p.GetProperty("id").GetString() == third);
        Assert.Equal($"Test {third}", listed.GetProperty("name").GetString());
        Assert.Equal("Europe/Paris", listed.GetProperty("timeZone").GetString());

        var at = ids.IndexOf(second);
        var page = await GetJsonAsync($"/v1/programs?offset={at}&limit=1");
        Assert.Equal(second, page.GetProperty("programs").EnumerateArray().Single().GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=101")]
    [InlineData("offset=-1")]
    public async Task ProgramList_RefusesBadPages(string query) =>
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs?{query}"), HttpStatusCode.BadRequest);

    [Fact]
    public async Task ProgramList_IsTheOperatorsAlone()
    {
        var id = await CreateProgramAsync("{}");
        var reader = await ClientOfProgramAsync(id, "rewards.read", "rewards.activities", "rewards.perks");
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("/v1/programs")).StatusCode);
    }
}
