using System.Net;
using System.Text.Json;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Catalogue;

public sealed class RedemptionConcurrencyTests(RewardsApiFactory factory) : RewardApiTest(factory)
{
    [Fact]
    public async Task ThousandConcurrentRedemptions_ByTwoHundredMembers_OfStockHundred_ConfirmExactlyHundred()
    {
        var id = await CreateRewardsProgramAsync();
        var members = Enumerable.Range(0, 200).Select(i => $"m{i}").ToArray();
        // 200 members with 100 points each (one gift), recorded 20 at a time.
        foreach (var chunk in members.Chunk(20))
        {
            await Task.WhenAll(chunk.Select(m => RecordAsync(id, m, "gift")));
        }
        // A code reward: its stock is its pool of 100 codes.
        var codes = Enumerable.Range(0, 100).Select(i => $"CODE-{i:D4}").ToArray();
        var rewardId = await CreateRewardAsync(id, new { kind = "code", title = new { @default = "Ticket" }, costPoints = 30, codes });

        // 1,000 requests at once, 5 per member: each member can afford 3 (90 of 100 points), the pool only 100 in all.
        var responses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => RedeemAsync(id, members[i % 200], new { rewardId })));

        var created = new List<JsonElement>();
        foreach (var r in responses)
        {
            var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
            if (r.StatusCode == HttpStatusCode.Created)
            {
                created.Add(body);
                continue;
            }
            Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
            Assert.Contains(body.GetProperty("reason").GetString(), new[] { "out_of_stock", "insufficient_points" });
        }
        Assert.Equal(100, created.Count);                                     // exactly the stock
        Assert.All(created, c => Assert.Equal("confirmed", c.GetProperty("state").GetString()));
        var given = created.Select(c => c.GetProperty("codes")[0].GetString()!).ToList();
        Assert.Equal(codes.Order(), given.Order());                           // every code once, none twice
        var reward = await RewardAsync(id, rewardId);
        Assert.Equal(0, reward.GetProperty("stockLeft").GetInt64());
        Assert.Equal(100, reward.GetProperty("figures").GetProperty("confirmed").GetInt64());
        foreach (var m in members)
        {
            var balance = await BalanceAsync(id, m);
            Assert.Equal(100 - created.Count(c => c.GetProperty("memberId").GetString() == m) * 30, balance);
            Assert.True(balance >= 10);                                       // never below what the rules allow
            await AssertLedgerSumsToBalanceAsync(id, m);
        }
    }

    [Fact]
    public async Task FiftyConcurrentRequests_WithOneKey_MakeOneRedemption()
    {
        var id = await CreateRewardsProgramAsync();
        await GiveAsync(id, "alice", 1000);
        var rewardId = await CreateRewardAsync(id, Voucher(10));

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => RedeemAsync(id, "alice", new { rewardId }, "same-key")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var ids = await Task.WhenAll(responses.Select(async r =>
            JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("redemptionId").GetString()));
        Assert.Single(ids.Distinct());
        Assert.Equal(990, await BalanceAsync(id, "alice"));
        Assert.Equal(1, (await GetJsonAsync($"/v1/programs/{id}/members/alice/redemptions")).GetProperty("total").GetInt64());
    }
}
