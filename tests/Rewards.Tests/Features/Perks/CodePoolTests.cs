using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Perks;

/// <summary>Codes in an offer's pool are unique, claimed ones included, so two members never receive the same code.</summary>
public sealed class CodePoolTests(RewardsApiFactory factory) : PerkApiTest(factory)
{
    private static async Task<string[]> DuplicatesAsync(HttpResponseMessage response)
    {
        await AssertProblemAsync(response, HttpStatusCode.Conflict);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return [.. problem.GetProperty("duplicates").EnumerateArray().Select(d => d.GetString()!)];
    }

    private async Task<long> CodesLeftAsync(string programId, string perkId) =>
        (await GetJsonAsync($"/v1/programs/{programId}/perks/{perkId}")).GetProperty("codesLeft").GetInt64();

    [Fact]
    public async Task CodesAlreadyInThePool_OrClaimed_OrRepeated_AreRefusedAndListed_AndNothingIsAdded()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAsync(id, "alice", "share");
        var perkId = await CreatePerkAsync(id, new { kind = "offer", title = "Once each", offer = new { codes = new[] { "U1", "U2" } },
            audience = Members("alice"), schedule = Later });
        await Job.GrantAsync(id, perkId, "r");
        var claimed = (await PostJsonAsync($"/v1/programs/{id}/members/alice/perks/{perkId}/claim", null, HttpStatusCode.OK)).GetProperty("code").GetString()!;
        var unclaimed = claimed == "U1" ? "U2" : "U1";
        var url = $"/v1/programs/{id}/perks/{perkId}/codes";

        Assert.Equal([unclaimed], await DuplicatesAsync(await Client.PostAsJsonAsync(url, new { codes = new[] { "N1", unclaimed } })));
        Assert.Equal([claimed], await DuplicatesAsync(await Client.PostAsJsonAsync(url, new { codes = new[] { claimed, "N1" } })));
        Assert.Equal(["N2"], await DuplicatesAsync(await Client.PostAsJsonAsync(url, new { codes = new[] { "N2", "N3", "N2" } })));
        Assert.Equal(1, await CodesLeftAsync(id, perkId));

        await PostJsonAsync(url, new { codes = new[] { "N1", "N2" } }, HttpStatusCode.OK);
        Assert.Equal(3, await CodesLeftAsync(id, perkId));
    }

    [Fact]
    public async Task TheSameCodeSentConcurrently_EntersThePoolOnce()
    {
        var id = await CreateProgramAsync(Rules);
        var perkId = await CreatePerkAsync(id, new { kind = "offer", title = "Race", offer = new { }, audience = new { type = "all" }, schedule = Later });

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            Client.PostAsJsonAsync($"/v1/programs/{id}/perks/{perkId}/codes", new { codes = new[] { "SAME" } })));

        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.Equal(9, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(1, await CodesLeftAsync(id, perkId));
    }

    [Fact]
    public async Task CodesRepeatedInACreation_AreListedInTheRefusal()
    {
        var id = await CreateProgramAsync(Rules);
        var response = await Client.PostAsJsonAsync($"/v1/programs/{id}/perks", new { kind = "offer", title = "x",
            offer = new { codes = new[] { "R1", "R2", "R1" } }, audience = new { type = "all" }, schedule = Later });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("R1", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").GetProperty("offer.codes")[0].GetString());
    }
}
