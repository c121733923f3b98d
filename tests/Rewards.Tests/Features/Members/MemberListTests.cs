using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Members;

public sealed class MemberListTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private static readonly object Tiers = new[] { new { name = "Bronze", minLifetimePoints = 0 }, new { name = "Silver", minLifetimePoints = 100 } };

    private async Task<JsonElement> ListAsync(string programId, string query) =>
        await GetJsonAsync($"/v1/programs/{programId}/members?{query}");

    private static List<string?> Ids(JsonElement page) =>
        [.. page.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("memberId").GetString())];

    private async Task PutAsync(string programId, string memberId, string? displayName)
    {
        var response = await Client.PutAsJsonAsync($"/v1/programs/{programId}/members/{memberId}", new { displayName });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Members_AreListedByFirstSeen_Paged_WithTotalAndNextOffset()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 10 } }""");
        await PutAsync(id, "c", "Carla");
        Factory.Clock.Advance(TimeSpan.FromSeconds(1));
        await RecordAsync(id, "a", "review"); // created by its first award
        Factory.Clock.Advance(TimeSpan.FromSeconds(1));
        await PutAsync(id, "b", null);

        var first = await ListAsync(id, "limit=2");
        var second = await ListAsync(id, "offset=2&limit=2");

        Assert.Equal(["c", "a"], Ids(first));
        Assert.Equal(3, first.GetProperty("total").GetInt64());
        Assert.Equal(2, first.GetProperty("nextOffset").GetInt64());
        Assert.Equal(["b"], Ids(second));
        Assert.False(second.TryGetProperty("nextOffset", out _)); // the last page
        Assert.Equal(10, first.GetProperty("members")[1].GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task IdPrefix_FindsMembersCreatedByAnAwardOrAProfile_InIdOrder()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 10 } }""");
        await RecordAsync(id, "shop-2", "review");
        await RecordAsync(id, "shop-2", "review"); // a later award adds nothing
        await PutAsync(id, "shop-1", null);
        await PutAsync(id, "shoe", null);
        await RecordAsync(id, "web-1", "review");

        var page = await ListAsync(id, "idPrefix=shop-");

        Assert.Equal(["shop-1", "shop-2"], Ids(page));
        Assert.Equal(2, page.GetProperty("total").GetInt64());
        Assert.Equal(["shoe", "shop-1", "shop-2"], Ids(await ListAsync(id, "idPrefix=sho")));
        Assert.Equal(["shop-2"], Ids(await ListAsync(id, "idPrefix=sho&offset=2&limit=1")));
    }

    [Fact]
    public async Task NamePrefix_IgnoresAsciiCase_FollowsRenames_AndNeverListsErasedMembers()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 10 } }""");
        await PutAsync(id, "m1", "Zoé Martin");
        await PutAsync(id, "m2", "zoe Durand");
        await PutAsync(id, "m3", "Yann");
        await PutAsync(id, "m4", "Zora");

        Assert.Equal(["m2", "m4", "m1"], Ids(await ListAsync(id, "namePrefix=ZO"))); // by name, bytewise: "zoe d" < "zora" < "zoé m"
        Assert.Equal(3, (await ListAsync(id, "namePrefix=zo")).GetProperty("total").GetInt64());
        Assert.Empty(Ids(await ListAsync(id, $"namePrefix={Uri.EscapeDataString("ZOÉ")}"))); // only ASCII letters are folded
        Assert.Equal(["m1", "m2"], Ids(await ListAsync(id, "idPrefix=m&namePrefix=ZO&limit=2"))); // both: by id, the name filters
        Assert.Equal(["m1"], Ids(await ListAsync(id, $"namePrefix={Uri.EscapeDataString("zoé")}")));

        await PutAsync(id, "m2", "Anna");
        Assert.Empty(Ids(await ListAsync(id, "namePrefix=zoe")));
        Assert.Equal(["m2"], Ids(await ListAsync(id, "namePrefix=an")));

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/members/m4")).StatusCode);
        Assert.Equal(["m1"], Ids(await ListAsync(id, "namePrefix=zo")));
        Assert.Empty(Ids(await ListAsync(id, "idPrefix=m4")));
        Assert.DoesNotContain("m4", Ids(await ListAsync(id, "limit=100")));
    }

    [Fact]
    public async Task Filters_ByStatusTierAndFlag()
    {
        var id = await CreateProgramAsync(new
        {
            rules = new { review = new { points = 100 }, vote = new { points = 1 } },
            tiers = Tiers,
            velocity = new { maxPerMinute = 2 },
        });
        foreach (var (member, type) in new[] { ("gold", "review"), ("quiet", "vote"), ("away", "vote") })
        {
            await RecordAsync(id, member, type);
            Factory.Clock.Advance(TimeSpan.FromMilliseconds(10)); // first seen in this order
        }
        for (var i = 0; i < 3; i++)
        {
            await RecordAsync(id, "bot", "vote");
        }
        await PostJsonAsync($"/v1/programs/{id}/members/away/suspend", null, HttpStatusCode.OK);

        Assert.Equal(["away"], Ids(await ListAsync(id, "status=suspended")));
        Assert.Equal(["gold", "quiet", "bot"], Ids(await ListAsync(id, "status=active")));
        Assert.Equal(["gold"], Ids(await ListAsync(id, "tier=Silver")));
        Assert.Equal(["quiet", "away", "bot"], Ids(await ListAsync(id, "tier=Bronze")));
        Assert.Equal(["bot"], Ids(await ListAsync(id, "flagged=true")));
        Assert.Equal(["gold", "quiet", "away"], Ids(await ListAsync(id, "flagged=false")));
        Assert.Equal(["quiet"], Ids(await ListAsync(id, "status=active&tier=Bronze&flagged=false")));

        // A filtered page is read from `offset` in the unfiltered order: the next page starts after the last member read.
        var page = await ListAsync(id, "tier=Bronze&limit=1");
        Assert.Equal(["quiet"], Ids(page));
        Assert.Equal(2, page.GetProperty("nextOffset").GetInt64());
        Assert.Equal(4, page.GetProperty("total").GetInt64());
        Assert.Equal(["away"], Ids(await ListAsync(id, "tier=Bronze&limit=1&offset=2")));
    }

    [Theory]
    [InlineData("status=erased", "status")]
    [InlineData("status=banned", "status")]
    [InlineData("tier=Platinum", "tier")]
    [InlineData("idPrefix=a%20b", "idPrefix")]
    [InlineData("limit=101", "limit")]
    public async Task BadQueries_AreRefused_NamingTheParameter(string query, string field)
    {
        var id = await CreateProgramAsync(new { rules = new { review = new { points = 1 } }, tiers = Tiers });
        var response = await Client.GetAsync($"/v1/programs/{id}/members?{query}");
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), problem.ToString());
        if (field == "tier")
        {
            Assert.Contains("Bronze, Silver", messages[0].GetString());
        }
    }

    [Fact]
    public async Task TheList_IsReadableWithTheReadScope_NotWithAMemberToken()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 10 } }""");
        await RecordAsync(id, "alice", "review");
        var reader = await ClientOfProgramAsync(id, Scopes.Read);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/v1/programs/{id}/members")).StatusCode);
        var (clientId, secret) = await CreateApiClientAsync(id, Scopes.Activities);
        using var app = Factory.CreateClient(await Factory.TokenAsync(clientId, secret, grantType: MemberGrant.Type, memberId: "alice"));
        Assert.Equal(HttpStatusCode.Forbidden, (await app.GetAsync($"/v1/programs/{id}/members")).StatusCode);
    }
}
