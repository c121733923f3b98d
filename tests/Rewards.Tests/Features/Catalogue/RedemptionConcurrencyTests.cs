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
        // 200 members with 100 points each (one gift), recorded concurrently: 20 at a time.
        foreach (var chunk in members.Chunk(20))
        {
            await Task.WhenAll(chunk.Select(m => RecordAsync(id, m, "gift")));
        }
        var codes = Enumerable.Range(0, 150).Select(i => $"CODE-{i:D4}").ToArray();
        var rewardId = await CreateRewardAsync(id, new { kind = "code", title = new { @default = "Ticket" }, costPoints = 30, codes });
        var stocked = await CreateRewardAsync(id, Voucher(30, stock: 100));

        // Each member asks 5 times (1,000 requests): 3 of them fit the balance (90 of 100 points), but only 100 + 100 units exist.
        var responses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i =>
            RedeemAsync(id, members[i % 200], new { rewardId = i % 2 == 0 ? rewardId : stocked })));

        var created = new List<JsonElement>();
        foreach (var r in responses)
        {
            var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
            if (r.StatusCode == HttpStatusCode.Created)
            {
                created.Add(body);
            }
            else
            {
                Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
                Assert.Contains(body.GetProperty("reason").GetString(), new[] { "out_of_stock", "insufficient_points" });
            }
        }
        var ofCodes = created.Where(c => c.GetProperty("rewardId").GetString() == rewardId).ToList();
        var ofStock = created.Where(c => c.GetProperty("rewardId").GetString() == stocked).ToList();
        // 500 asks for each reward: the code reward's 150 codes and the other's 100 units cap what each can give,
        // and no member can spend past 90 points (3 redemptions).
        var given = ofCodes.SelectMany(c => c.GetProperty("codes").EnumerateArray().Select(x => x.GetString()!)).ToList();
        Assert.Equal(given.Count, given.Distinct().Count()); // no code given twice
        Assert.Equal(100, ofStock.Count);                    // exactly the stock
        Assert.Equal(0, (await RewardAsync(id, stocked)).GetProperty("stockLeft").GetInt64());
        Assert.Equal(150 - ofCodes.Count, (await RewardAsync(id, rewardId)).GetProperty("stockLeft").GetInt64());
        foreach (var m in members)
        {
            var balance = await BalanceAsync(id, m);
            var spent = created.Count(c => c.GetProperty("memberId").GetString() == m) * 30;
            Assert.Equal(100 - spent, balance);
            Assert.True(balance >= 0);
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
