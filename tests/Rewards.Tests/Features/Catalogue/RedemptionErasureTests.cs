using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Catalogue;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Catalogue;

/// <summary>Erasure scrubs the member's redemptions: revealed codes and vouchers go, the redemption lists forget them, accounting stays.</summary>
public sealed class RedemptionErasureTests(RewardsApiFactory factory) : RewardApiTest(factory)
{
    [Fact]
    public async Task Erasure_EmptiesRevealedCodes_TakesTheRedemptionsOffTheLists_AndAnOpenHoldStillReturnsItsCode()
    {
        var id = await CreateRewardsProgramAsync();
        await GiveAsync(id, "alice", 300);
        await GiveAsync(id, "bob", 100);
        var cinema = await CreateRewardAsync(id, new { kind = "code", title = new { @default = "Cinema" }, costPoints = 40, codes = new[] { "C-1", "C-2", "C-3" } });
        var coffee = await CreateRewardAsync(id, Voucher(10));

        var code = (await RedeemOkAsync(id, "alice", new { rewardId = cinema })).GetProperty("redemptionId").GetString()!;
        var voucher = (await RedeemOkAsync(id, "alice", new { rewardId = coffee })).GetProperty("redemptionId").GetString()!;
        var cancelled = (await RedeemOkAsync(id, "alice", new { rewardId = coffee })).GetProperty("redemptionId").GetString()!;
        await MoveAsync(id, "alice", cancelled, "cancel");
        var hold = (await RedeemOkAsync(id, "alice", new { rewardId = cinema, hold = true })).GetProperty("redemptionId").GetString()!;
        var bobs = (await RedeemOkAsync(id, "bob", new { rewardId = coffee })).GetProperty("redemptionId").GetString()!;
        Assert.Equal(5, (await GetJsonAsync($"/v1/programs/{id}/redemptions?limit=100")).GetProperty("redemptions").GetArrayLength());

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/members/alice")).StatusCode);

        // Revealed codes and vouchers are gone (also from a cancelled one); what accounting needs stays.
        foreach (var redemption in new[] { code, voucher, cancelled })
        {
            var view = await GetJsonAsync($"/v1/programs/{id}/redemptions/{redemption}");
            Assert.False(view.TryGetProperty("codes", out var codes) && codes.GetArrayLength() > 0, redemption);
            Assert.Equal("alice", view.GetProperty("memberId").GetString());
            Assert.True(view.GetProperty("points").GetInt64() > 0);
        }
        var db = Factory.Redis.GetDatabase();
        Assert.Equal("", (string?)await db.HashGetAsync(RedisKeys.Redemption(id, code), "codes"));
        // The lists forget them: the program's (bob's stays) and their own.
        var list = (await GetJsonAsync($"/v1/programs/{id}/redemptions?limit=100")).GetProperty("redemptions");
        Assert.Equal([bobs], list.EnumerateArray().Select(r => r.GetProperty("redemptionId").GetString()));
        Assert.False(await db.KeyExistsAsync(RedisKeys.MemberRedemptions(id, "alice")));
        Assert.NotEqual("", (string?)await db.HashGetAsync(RedisKeys.Redemption(id, bobs), "codes"));

        // The open hold's code was never revealed: its expiry puts it back in the pool, silently (no event for an erased member).
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddMinutes(15));
        await Factory.Services.GetRequiredService<HoldExpiryJob>().RunAsync(id);
        Assert.Equal("expired", (await GetJsonAsync($"/v1/programs/{id}/redemptions/{hold}")).GetProperty("state").GetString());
        Assert.Equal(2, (await RewardAsync(id, cinema)).GetProperty("stockLeft").GetInt64());
        var events = (await GetJsonAsync($"/v1/programs/{id}/events?limit=1000")).GetProperty("events").EnumerateArray().ToList();
        Assert.DoesNotContain(events, e => e.GetProperty("type").GetString() == "redemption.expired");
    }
}
