using System.Net;
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

        var all = await GetJsonAsync("/v1/programs?limit=100");
        var ids = all.GetProperty("programs").EnumerateArray().Select(p => p.GetProperty("id").GetString()).ToList();
        Assert.True(ids.IndexOf(third) < ids.IndexOf(second) && ids.IndexOf(second) < ids.IndexOf(first) && ids.IndexOf(third) >= 0);
        var listed = all.GetProperty("programs").EnumerateArray().Single(p => p.GetProperty("id").GetString() == third);
        Assert.Equal($"Test {third}", listed.GetProperty("name").GetString());
        Assert.Equal("Europe/Paris", listed.GetProperty("timeZone").GetString());
        Assert.True(all.GetProperty("total").GetInt64() >= 3);

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
