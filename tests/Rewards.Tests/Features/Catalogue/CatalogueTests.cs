using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Catalogue;

public sealed class CatalogueTests(RewardsApiFactory factory) : RewardApiTest(factory)
{
    [Fact]
    public async Task Reward_IsCreated_Read_Listed_Patched_AndDeleted()
    {
        var id = await CreateRewardsProgramAsync();
        var created = await PostJsonAsync($"/v1/programs/{id}/rewards", new
        {
            kind = "voucher", title = new Dictionary<string, string> { ["default"] = "Free coffee", ["fr"] = "Café offert" }, costPoints = 500,
            stock = 10, limit = new { count = 1, per = "week" }, audience = new { minTier = "Bronze" },
        }, HttpStatusCode.Created);
        var rewardId = created.GetProperty("reward").GetProperty("rewardId").GetString()!;
        for (var i = 0; i < 2; i++)
        {
            // Newest first is by creation time; the test clock stands still, and rewards created in the same millisecond tie and
            // fall back to their ids, whose order within a millisecond is random (Guid v7): distinct times, a stable order.
            Factory.Clock.Advance(TimeSpan.FromSeconds(1));
            await CreateRewardAsync(id, Voucher(10 + i));
        }

        var read = await RewardAsync(id, rewardId);
        var page = await GetJsonAsync($"/v1/programs/{id}/rewards?offset=1&limit=2");
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/v1/programs/{id}/rewards/{rewardId}")
        {
            Content = new StringContent("""{"costPoints": 450, "limit": null, "stock": 3, "title": {"fr": null}}""", Encoding.UTF8, "application/merge-patch+json"),
        };
        var patched = JsonDocument.Parse(await (await Client.SendAsync(patch)).Content.ReadAsStringAsync()).RootElement;

        Assert.Equal("Café offert", read.GetProperty("reward").GetProperty("title").GetProperty("fr").GetString());
        Assert.Equal(10, read.GetProperty("stockLeft").GetInt64());
        Assert.Equal("week", read.GetProperty("reward").GetProperty("limit").GetProperty("per").GetString());
        Assert.Equal(3, page.GetProperty("total").GetInt64());
        Assert.Equal(2, page.GetProperty("rewards").GetArrayLength());
        Assert.Equal(rewardId, page.GetProperty("rewards")[1].GetProperty("reward").GetProperty("rewardId").GetString()); // newest first
        Assert.Equal(450, patched.GetProperty("reward").GetProperty("costPoints").GetInt64());
        Assert.False(patched.GetProperty("reward").TryGetProperty("limit", out _));
        Assert.False(patched.GetProperty("reward").GetProperty("title").TryGetProperty("fr", out _));
        Assert.Equal(3, patched.GetProperty("stockLeft").GetInt64());

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/rewards/{rewardId}")).StatusCode);
        await GetJsonAsync($"/v1/programs/{id}/rewards/{rewardId}", HttpStatusCode.NotFound);
        await GiveAsync(id, "alice", 1);
        await AssertProblemAsync(await RedeemAsync(id, "alice", new { rewardId }), HttpStatusCode.NotFound);
        Assert.Equal(2, (await GetJsonAsync($"/v1/programs/{id}/rewards")).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task InvalidReward_IsA400_NamingEachField_AndTheKindCannotChange()
    {
        var id = await CreateRewardsProgramAsync();
        var response = await Client.PostAsJsonAsync($"/v1/programs/{id}/rewards", new
        {
            kind = "gift", title = new { fr = "Sans défaut" }, costPoints = 0, limit = new { count = 1, per = "year" },
            audience = new { minTier = "Platinum", badge = "nope" },
        });
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        foreach (var field in new[] { "kind", "title", "costPoints", "limit.per", "audience.minTier", "audience.badge" })
        {
            Assert.True(errors.TryGetProperty(field, out _), field);
        }
        var perk = await Client.PostAsJsonAsync($"/v1/programs/{id}/rewards", new { kind = "perk", title = new { @default = "x" }, costPoints = 1 });
        Assert.True(JsonDocument.Parse(await perk.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty("perkId", out _));

        var rewardId = await CreateRewardAsync(id, Voucher(10));
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/v1/programs/{id}/rewards/{rewardId}")
        {
            Content = new StringContent("""{"kind": "physical"}""", Encoding.UTF8, "application/merge-patch+json"),
        };
        await AssertProblemAsync(await Client.SendAsync(patch), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CodeReward_RefusesCodesAlreadyInItsPool()
    {
        var id = await CreateRewardsProgramAsync();
        var rewardId = await CreateRewardAsync(id, new { kind = "code", title = new { @default = "Cinema" }, costPoints = 10, codes = new[] { "A-1", "A-2" } });
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/v1/programs/{id}/rewards/{rewardId}")
        {
            Content = new StringContent("""{"codes": ["A-2", "A-3"]}""", Encoding.UTF8, "application/merge-patch+json"),
        };
        var response = await Client.SendAsync(patch);

        await AssertProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("A-2", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("duplicates")[0].GetString());
        Assert.Equal(2, (await RewardAsync(id, rewardId)).GetProperty("stockLeft").GetInt64());
    }

    [Fact]
    public async Task Catalogue_IsReadByMemberTokensAndReaders_AndWrittenOnlyWithThePerksScope()
    {
        var id = await CreateRewardsProgramAsync();
        await GiveAsync(id, "alice", 1);
        var rewardId = await CreateRewardAsync(id, Voucher(10));
        using var activities = await ClientOfProgramAsync(id, "rewards.activities");
        using var reader = await ClientOfProgramAsync(id, "rewards.read");
        var (clientId, secret) = await CreateApiClientAsync(id, "rewards.activities");
        using var member = Factory.CreateClient(await Factory.TokenAsync(clientId, secret, grantType: Rewards.Api.Infrastructure.Auth.MemberGrant.Type, memberId: "alice"));

        Assert.Equal(HttpStatusCode.Forbidden, (await activities.PostAsJsonAsync($"/v1/programs/{id}/rewards", Voucher(1))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.DeleteAsync($"/v1/programs/{id}/rewards/{rewardId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/v1/programs/{id}/rewards")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync($"/v1/programs/{id}/rewards/{rewardId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync($"/v1/programs/{id}/redemptions")).StatusCode);
    }
}
