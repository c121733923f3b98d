using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Catalogue;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Catalogue;

public sealed class RedemptionTests(RewardsApiFactory factory) : RewardApiTest(factory)
{
    [Fact]
    public async Task Redeem_Succeeds_WhenBalanceEqualsCost_AndIsRefused_OnePointShort()
    {
        var id = await CreateRewardsProgramAsync();
        await GiveAsync(id, "alice", 100);
        await GiveAsync(id, "bob", 100);
        var exact = await CreateRewardAsync(id, Voucher(100, stock: 10));
        var dearer = await CreateRewardAsync(id, Voucher(101, stock: 10));

        var refused = await AssertRefusedAsync(await RedeemAsync(id, "bob", new { rewardId = dearer }), HttpStatusCode.Conflict, "insufficient_points");
        var ok = await RedeemOkAsync(id, "alice", new { rewardId = exact });

        Assert.Equal(100, refused.GetProperty("balance").GetInt64());
        Assert.Equal(101, refused.GetProperty("costPoints").GetInt64());
        Assert.Equal(100, await BalanceAsync(id, "bob")); // a refusal changes nothing
        Assert.Equal(10, (await RewardAsync(id, dearer)).GetProperty("stockLeft").GetInt64());
        Assert.Equal("confirmed", ok.GetProperty("state").GetString());
        Assert.Equal(0, ok.GetProperty("balance").GetInt64());
        Assert.Equal(0, await BalanceAsync(id, "alice"));
        Assert.Equal(9, (await RewardAsync(id, exact)).GetProperty("stockLeft").GetInt64());
        var entry = (await GetLedgerAsync(id, "alice"))[0];
        Assert.Equal("redemption", entry.GetProperty("kind").GetString());
        Assert.Equal(-100, entry.GetProperty("points").GetInt64());
        Assert.Equal(ok.GetProperty("redemptionId").GetString(), entry.GetProperty("activityId").GetString());
        Assert.Equal(exact, entry.GetProperty("targetId").GetString());
        await AssertLedgerSumsToBalanceAsync(id, "alice");
    }

    [Fact]
    public async Task Voucher_IsUnambiguous_AndRevealedOnce()
    {
        var id = await CreateRewardsProgramAsync();
        await GiveAsync(id, "alice", 300);
        var reward = await CreateRewardAsync(id, Voucher(100));

        var codes = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            codes.AddRange((await RedeemOkAsync(id, "alice", new { rewardId = reward })).GetProperty("codes").EnumerateArray().Select(c => c.GetString()!));
        }

        Assert.Equal(3, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches("^RV-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$", c));
        Assert.All(codes, c => Assert.DoesNotMatch("[O0I1L]", c[3..]));
    }

    [Fact]
    public async Task Stock_RunsOut_AtExactlyZero()
    {
        var id = await CreateRewardsProgramAsync();
        await GiveAsync(id, "alice", 300);
        var one = await CreateRewardAsync(id, Voucher(10, stock: 1));
        var none = await CreateRewardAsync(id, Voucher(10, stock: 0));

        await RedeemOkAsync(id, "alice", new { rewardId = one });
        var second = await AssertRefusedAsync(await RedeemAsync(id, "alice", new { rewardId = one }), HttpStatusCode.Conflict, "out_of_stock");
        await AssertRefusedAsync(await RedeemAsync(id, "alice", new { rewardId = none }), HttpStatusCode.Conflict, "out_of_stock");

        Assert.Equal(0, second.GetProperty("stockLeft").GetInt64());
        Assert.Equal(290, await BalanceAsync(id, "alice"));
    }

    [Fact]
    public async Task Limit_PerLocalDay_ResetsAtTheProgramsMidnight()
    {
        var id = await CreateRewardsProgramAsync(timeZone: "Europe/Paris");
        await GiveAsync(id, "alice", 500);
        var reward = await CreateRewardAsync(id, Voucher(10, limit: new { count = 2, per = "day" }));
        // 23:59 in Paris (UTC+1 in November), then the local midnight.
        Factory.SetUtcNow(new DateTimeOffset(2026, 11, 18, 22, 59, 0, TimeSpan.Zero));

        await RedeemOkAsync(id, "alice", new { rewardId = reward });
        var tooMany = await AssertRefusedAsync(await RedeemAsync(id, "alice", new { rewardId = reward, quantity = 2 }), HttpStatusCode.Conflict, "limit_reached");
        await RedeemOkAsync(id, "alice", new { rewardId = reward });
        await AssertRefusedAsync(await RedeemAsync(id, "alice", new { rewardId = reward }), HttpStatusCode.Conflict, "limit_reached");
        Factory.SetUtcNow(new DateTimeOffset(2026, 11, 18, 23, 0, 0, TimeSpan.Zero));
        var nextDay = await RedeemOkAsync(id, "alice", new { rewardId = reward, quantity = 2 });

        Assert.Equal(1, tooMany.GetProperty("used").GetInt64());
        Assert.Equal(2, tooMany.GetProperty("limit").GetInt64());
        Assert.Equal(2, nextDay.GetProperty("quantity").GetInt32());
        Assert.Equal(500 - 40, await BalanceAsync(id, "alice"));
    }

    [Fact]
    public async Task Window_OpensAtAvailableFrom_AndClosesAtAvailableUntil()
    {
        var id = await CreateRewardsProgramAsync();
        await GiveAsync(id, "alice", 100);
        var from = RewardsApiFactory.DefaultNow.AddHours(1);
        var until = from.AddHours(1);
        var reward = await CreateRewardAsync(id, Voucher(1, availableFrom: from, availableUntil: until));

        Factory.SetUtcNow(from.AddMilliseconds(-1));
        var early = await AssertRefusedAsync(await RedeemAsync(id, "alice", new { rewardId = reward }), HttpStatusCode.UnprocessableEntity, "not_available");
        Factory.SetUtcNow(from);
        await RedeemOkAsync(id, "alice", new { rewardId = reward });
        Factory.SetUtcNow(until.AddMilliseconds(-1));
        await RedeemOkAsync(id, "alice", new { rewardId = reward });
        Factory.SetUtcNow(until);
        await AssertRefusedAsync(await RedeemAsync(id, "alice", new { rewardId = reward }), HttpStatusCode.UnprocessableEntity, "not_available");

        Assert.Equal(from, early.GetProperty("availableFrom").GetDateTimeOffset());
        Assert.Equal(98, await BalanceAsync(id, "alice"));
    }

    [Fact]
    public async Task Audience_MinTierAndBadge_AreNotEligibleBelow_AndInactiveIsNotAvailable()
    {
        var id = await CreateRewardsProgramAsync();
        await GiveAsync(id, "silver", 999);   // 999 lifetime: Bronze, and the tipper badge (99 tips)
        await GiveAsync(id, "gold", 1000);    // Gold, no badge
        var gold = await CreateRewardAsync(id, Voucher(1, audience: new { minTier = "Gold" }));
        var tippers = await CreateRewardAsync(id, Voucher(1, audience: new { badge = "tipper" }));
        var inactive = await CreateRewardAsync(id, new { kind = "voucher", title = new { @default = "Off" }, costPoints = 1, active = false });

        var tier = await AssertRefusedAsync(await RedeemAsync(id, "silver", new { rewardId = gold }), HttpStatusCode.UnprocessableEntity, "not_eligible");
        await RedeemOkAsync(id, "gold", new { rewardId = gold });
        await AssertRefusedAsync(await RedeemAsync(id, "gold", new { rewardId = tippers }), HttpStatusCode.UnprocessableEntity, "not_eligible");
        await RedeemOkAsync(id, "silver", new { rewardId = tippers });
        await AssertRefusedAsync(await RedeemAsync(id, "gold", new { rewardId = inactive }), HttpStatusCode.UnprocessableEntity, "not_available");

        Assert.Equal("Gold", tier.GetProperty("minTier").GetString());
    }

    [Fact]
    public async Task SuspendedMember_IsRefused_AndUnknownMemberOrReward_Is404()
    {
        var id = await CreateRewardsProgramAsync();
        await GiveAsync(id, "alice", 100);
        var reward = await CreateRewardAsync(id, Voucher(1));
        await PostJsonAsync($"/v1/programs/{id}/members/alice/suspend", null, HttpStatusCode.OK);

        await AssertRefusedAsync(await RedeemAsync(id, "alice", new { rewardId = reward }), HttpStatusCode.Conflict, "member_suspended");
        await AssertProblemAsync(await RedeemAsync(id, "nobody", new { rewardId = reward }), HttpStatusCode.NotFound);
        await AssertProblemAsync(await RedeemAsync(id, "alice", new { rewardId = "0190000000007000800000000000abcd" }), HttpStatusCode.NotFound);
        Assert.Equal(100, await BalanceAsync(id, "alice"));
    }

    [Fact]
    public async Task BadInput_IsA400_NamingTheField()
    {
        var id = await CreateRewardsProgramAsync();
        var reward = await CreateRewardAsync(id, Voucher(1));

        var noKey = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{id}/members/alice/redemptions") { Content = System.Net.Http.Json.JsonContent.Create(new { rewardId = reward }) };
        var responses = new[]
        {
            await Client.SendAsync(noKey),
            await RedeemAsync(id, "alice", new { rewardId = reward, quantity = 0 }),
            await RedeemAsync(id, "alice", new { rewardId = reward, quantity = 101 }),
            await RedeemAsync(id, "alice", new { rewardId = reward, holdMinutes = 5 }),
            await RedeemAsync(id, "alice", new { rewardId = reward, hold = true, holdMinutes = 16 }),
            await RedeemAsync(id, "alice", new { quantity = 1 }),
        };
        var fields = new[] { "Idempotency-Key", "quantity", "quantity", "holdMinutes", "holdMinutes", "rewardId" };
        for (var i = 0; i < responses.Length; i++)
        {
            await AssertProblemAsync(responses[i], HttpStatusCode.BadRequest);
            var problem = JsonDocument.Parse(await responses[i].Content.ReadAsStringAsync()).RootElement;
            Assert.True(problem.GetProperty("errors").TryGetProperty(fields[i], out _), $"{i}: {problem}");
        }
    }

    [Fact]
    public async Task IdempotencyKey_ReplaysTheSameRedemption_AndRefusesAnotherBody()
    {
        var id = await CreateRewardsProgramAsync();
        await GiveAsync(id, "alice", 100);
        var reward = await CreateRewardAsync(id, Voucher(30));

        var first = await RedeemAsync(id, "alice", new { rewardId = reward }, "k-1");
        var again = await RedeemAsync(id, "alice", new { rewardId = reward }, "k-1");
        var other = await RedeemAsync(id, "alice", new { rewardId = reward, quantity = 2 }, "k-1");
        var a = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement;
        var b = JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(a.GetProperty("redemptionId").GetString(), b.GetProperty("redemptionId").GetString());
        Assert.Equal(a.GetProperty("codes")[0].GetString(), b.GetProperty("codes")[0].GetString());
        await AssertProblemAsync(other, HttpStatusCode.Conflict);
        Assert.Equal(70, await BalanceAsync(id, "alice"));
    }

    [Fact]
    public async Task Hold_ReservesPointsAndStock_ConfirmRevealsTheCode_AndCancelRefunds()
    {
        var id = await CreateRewardsProgramAsync();
        await GiveAsync(id, "alice", 100);
        var reward = await CreateRewardAsync(id, new { kind = "code", title = new { @default = "Cinema" }, costPoints = 40, codes = new[] { "C-1", "C-2" } });

        var held = await RedeemOkAsync(id, "alice", new { rewardId = reward, hold = true });
        var heldId = held.GetProperty("redemptionId").GetString()!;
        Assert.Equal("reserved", held.GetProperty("state").GetString());
        Assert.False(held.TryGetProperty("codes", out _)); // not revealed while held
        Assert.Equal(RewardsApiFactory.DefaultNow.AddMinutes(15), held.GetProperty("holdUntil").GetDateTimeOffset());
        Assert.Equal(60, await BalanceAsync(id, "alice"));
        Assert.Equal(1, (await RewardAsync(id, reward)).GetProperty("stockLeft").GetInt64());

        var confirmed = await MoveAsync(id, "alice", heldId, "confirm");
        Assert.Equal("confirmed", confirmed.GetProperty("state").GetString());
        var code = confirmed.GetProperty("codes")[0].GetString();
        await MoveAsync(id, "alice", heldId, "confirm", HttpStatusCode.Conflict);

        var cancelled = await MoveAsync(id, "alice", heldId, "cancel");
        Assert.Equal("cancelled", cancelled.GetProperty("state").GetString());
        Assert.Equal(100, await BalanceAsync(id, "alice"));
        // The revealed code is voided: the pool keeps only the other one, which the next redemption gets.
        Assert.Equal(1, (await RewardAsync(id, reward)).GetProperty("stockLeft").GetInt64());
        var next = await RedeemOkAsync(id, "alice", new { rewardId = reward });
        Assert.NotEqual(code, next.GetProperty("codes")[0].GetString());
        await AssertRefusedAsync(await RedeemAsync(id, "alice", new { rewardId = reward }), HttpStatusCode.Conflict, "out_of_stock");
        var refund = (await GetLedgerAsync(id, "alice")).First(e => e.GetProperty("kind").GetString() == "refund");
        Assert.Equal(40, refund.GetProperty("points").GetInt64());
        await AssertLedgerSumsToBalanceAsync(id, "alice");
        await MoveAsync(id, "alice", heldId, "cancel", HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Redemption_TakesLotsEarliestExpiryFirst_AndCancelRefundsThemWithTheirOriginalDates()
    {
        var id = await CreateRewardsProgramAsync(pointsExpiry: "P12M");
        await GiveAsync(id, "alice", 100);                               // a lot spendable through 2027-11-18
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddDays(10));
        await GiveAsync(id, "alice", 100);                               // and one through 2027-11-28
        var reward = await CreateRewardAsync(id, Voucher(150));
        async Task<string[]> Expiring() => [.. (await GetJsonAsync($"/v1/programs/{id}/members/alice/expiring?limit=100")).GetProperty("expiries")
            .EnumerateArray().Select(e => $"{e.GetProperty("expiresOn").GetString()}:{e.GetProperty("points").GetInt64()}")];
        static string[] LotsOf(JsonElement entry) => [.. entry.GetProperty("lots").EnumerateArray()
            .Select(l => $"{l.GetProperty("expiresOn").GetString()}:{l.GetProperty("points").GetInt64()}")];

        var held = await RedeemOkAsync(id, "alice", new { rewardId = reward, hold = true });
        var split = (await GetMemberAsync(id, "alice")).GetProperty("balanceSplit");
        Assert.Equal(["2027-11-28:50"], await Expiring());
        Assert.Equal(50, split.GetProperty("available").GetInt64());
        Assert.Equal(150, split.GetProperty("held").GetInt64());
        Assert.Equal("20271118:100,20271128:50", held.GetProperty("lots").GetString());
        var debit = (await GetLedgerAsync(id, "alice")).First(e => e.GetProperty("kind").GetString() == "redemption");
        Assert.Equal(["2027-11-18:100", "2027-11-28:50"], LotsOf(debit));

        await MoveAsync(id, "alice", held.GetProperty("redemptionId").GetString()!, "cancel");

        Assert.Equal(["2027-11-18:100", "2027-11-28:100"], await Expiring());
        var refund = (await GetLedgerAsync(id, "alice")).First(e => e.GetProperty("kind").GetString() == "refund");
        Assert.Equal(["2027-11-18:100", "2027-11-28:50"], LotsOf(refund));
        Assert.Equal(0, (await GetMemberAsync(id, "alice")).GetProperty("balanceSplit").GetProperty("held").GetInt64());
        await AssertLedgerSumsToBalanceAsync(id, "alice");
    }

    [Fact]
    public async Task CancellingAHold_PutsItsUnrevealedCodeBack()
    {
        var id = await CreateRewardsProgramAsync();
        await GiveAsync(id, "alice", 100);
        var reward = await CreateRewardAsync(id, new { kind = "code", title = new { @default = "Cinema" }, costPoints = 40, codes = new[] { "ONLY-1" } });

        var held = await RedeemOkAsync(id, "alice", new { rewardId = reward, hold = true });
        Assert.Equal(0, (await RewardAsync(id, reward)).GetProperty("stockLeft").GetInt64());
        await MoveAsync(id, "alice", held.GetProperty("redemptionId").GetString()!, "cancel");

        Assert.Equal(1, (await RewardAsync(id, reward)).GetProperty("stockLeft").GetInt64());
        Assert.Equal("ONLY-1", (await RedeemOkAsync(id, "alice", new { rewardId = reward })).GetProperty("codes")[0].GetString());
    }

    [Fact]
    public async Task ExpiredHold_ReleasesByItself_ByTheJob_OrByTheNextRedemption()
    {
        var id = await CreateRewardsProgramAsync(new { holdMinutes = 30 });
        await GiveAsync(id, "alice", 100);
        await GiveAsync(id, "bob", 100);
        var reward = await CreateRewardAsync(id, Voucher(50, stock: 1));

        var first = await RedeemOkAsync(id, "alice", new { rewardId = reward, hold = true, holdMinutes = 10 });
        await AssertRefusedAsync(await RedeemAsync(id, "bob", new { rewardId = reward }), HttpStatusCode.Conflict, "out_of_stock");
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddMinutes(10).AddMilliseconds(-1));
        await Factory.Services.GetRequiredService<HoldExpiryJob>().RunAsync(id);
        Assert.Equal("reserved", (await GetJsonAsync($"/v1/programs/{id}/redemptions/{first.GetProperty("redemptionId").GetString()}")).GetProperty("state").GetString());

        // At holdUntil the hold is due: the next redemption releases it before deciding (no job needed).
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddMinutes(10));
        var second = await RedeemOkAsync(id, "bob", new { rewardId = reward, hold = true });
        var expired = await GetJsonAsync($"/v1/programs/{id}/redemptions/{first.GetProperty("redemptionId").GetString()}");
        Assert.Equal("expired", expired.GetProperty("state").GetString());
        Assert.Equal(100, await BalanceAsync(id, "alice"));
        await MoveAsync(id, "alice", first.GetProperty("redemptionId").GetString()!, "confirm", HttpStatusCode.Conflict);

        // The job releases the next one once due.
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddMinutes(45));
        await Factory.Services.GetRequiredService<HoldExpiryJob>().RunAsync(id);
        var view = await GetJsonAsync($"/v1/programs/{id}/members/bob/redemptions/{second.GetProperty("redemptionId").GetString()}");
        Assert.Equal("expired", view.GetProperty("state").GetString());
        Assert.Equal(100, await BalanceAsync(id, "bob"));
        var figures = (await RewardAsync(id, reward));
        Assert.Equal(1, figures.GetProperty("stockLeft").GetInt64());
        Assert.Equal(2, figures.GetProperty("figures").GetProperty("expired").GetInt64());
        Assert.Equal(0, figures.GetProperty("figures").GetProperty("reserved").GetInt64());
        await AssertLedgerSumsToBalanceAsync(id, "alice");
        await AssertLedgerSumsToBalanceAsync(id, "bob");
    }

    [Fact]
    public async Task Physical_MovesPendingShippedDelivered_AndRefusesOtherSteps()
    {
        var id = await CreateRewardsProgramAsync();
        await GiveAsync(id, "alice", 100);
        var reward = await CreateRewardAsync(id, new { kind = "physical", title = new { @default = "Mug" }, costPoints = 10, stock = 5 });
        var redemption = (await RedeemOkAsync(id, "alice", new { rewardId = reward })).GetProperty("redemptionId").GetString()!;
        string Url() => $"/v1/programs/{id}/redemptions/{redemption}/fulfilment";

        Assert.Equal("pending", (await GetJsonAsync($"/v1/programs/{id}/redemptions/{redemption}")).GetProperty("fulfilment").GetString());
        Assert.Equal("shipped", (await PostJsonAsync(Url(), new { status = "shipped" }, HttpStatusCode.OK)).GetProperty("fulfilment").GetString());
        var problem = await PostJsonAsync(Url(), new { status = "shipped" }, HttpStatusCode.Conflict);
        var delivered = await PostJsonAsync(Url(), new { status = "delivered" }, HttpStatusCode.OK);
        await PostJsonAsync(Url(), new { status = "failed" }, HttpStatusCode.Conflict);
        await PostJsonAsync(Url(), new { status = "lost" }, HttpStatusCode.BadRequest);
        await MoveAsync(id, "alice", redemption, "cancel", HttpStatusCode.Conflict);

        Assert.Equal("shipped", problem.GetProperty("fulfilment").GetString());
        Assert.Equal("fulfilled", delivered.GetProperty("state").GetString());
        Assert.Equal("delivered", delivered.GetProperty("fulfilment").GetString());
    }

    [Fact]
    public async Task Cancel_GivesTheLimitSlotBack_AndAFailedDeliveryCanBeRefunded()
    {
        var id = await CreateRewardsProgramAsync();
        await GiveAsync(id, "alice", 100);
        var once = await CreateRewardAsync(id, new { kind = "physical", title = new { @default = "Mug" }, costPoints = 30, stock = 5,
            limit = new { count = 1 } });
        var first = (await RedeemOkAsync(id, "alice", new { rewardId = once })).GetProperty("redemptionId").GetString()!;
        await AssertRefusedAsync(await RedeemAsync(id, "alice", new { rewardId = once }), HttpStatusCode.Conflict, "limit_reached");

        await PostJsonAsync($"/v1/programs/{id}/redemptions/{first}/fulfilment", new { status = "failed" }, HttpStatusCode.OK);
        var refunded = await MoveAsync(id, "alice", first, "cancel");
        var again = await RedeemOkAsync(id, "alice", new { rewardId = once });

        Assert.Equal("cancelled", refunded.GetProperty("state").GetString());
        Assert.Equal("failed", refunded.GetProperty("fulfilment").GetString());
        Assert.Equal("pending", again.GetProperty("fulfilment").GetString());
        Assert.Equal(70, await BalanceAsync(id, "alice"));
        Assert.Equal(4, (await RewardAsync(id, once)).GetProperty("stockLeft").GetInt64());
        await AssertLedgerSumsToBalanceAsync(id, "alice");
    }

    [Fact]
    public async Task PerkReward_GrantsTheOfferInTheInbox_LikeAScheduledGrant()
    {
        var id = await CreateRewardsProgramAsync();
        await GiveAsync(id, "alice", 100);
        var perkId = (await PostJsonAsync($"/v1/programs/{id}/perks", new { kind = "offer", title = "VIP code", offer = new { codes = new[] { "VIP-1" } },
            audience = new { type = "members", memberIds = new[] { "nobody" } }, schedule = new { type = "at", at = RewardsApiFactory.FarFuture } },
            HttpStatusCode.Created)).GetProperty("perk").GetProperty("perkId").GetString()!;
        var reward = await CreateRewardAsync(id, new { kind = "perk", title = new { @default = "VIP offer" }, costPoints = 20, perkId });

        await RedeemOkAsync(id, "alice", new { rewardId = reward });
        var inbox = (await GetJsonAsync($"/v1/programs/{id}/members/alice/perks")).GetProperty("perks");
        var claimed = await PostJsonAsync($"/v1/programs/{id}/members/alice/perks/{perkId}/claim", null, HttpStatusCode.OK);
        var again = await AssertRefusedAsync(await RedeemAsync(id, "alice", new { rewardId = reward }), HttpStatusCode.UnprocessableEntity, "not_eligible");

        Assert.Equal(perkId, inbox[0].GetProperty("perkId").GetString());
        Assert.Equal("new", inbox[0].GetProperty("state").GetString());
        Assert.Equal("VIP-1", claimed.GetProperty("code").GetString());
        Assert.Equal(perkId, again.GetProperty("perkId").GetString());
        Assert.Equal(80, await BalanceAsync(id, "alice"));
    }

    [Fact]
    public async Task MemberToken_RedeemsOnlyWhenTheProgramAllowsIt()
    {
        var closed = await CreateRewardsProgramAsync();
        var open = await CreateRewardsProgramAsync(new { membersMayRedeem = true });
        foreach (var p in new[] { closed, open })
        {
            await GiveAsync(p, "alice", 100);
        }
        var closedReward = await CreateRewardAsync(closed, Voucher(10));
        var openReward = await CreateRewardAsync(open, Voucher(10));
        async Task<HttpClient> MemberClient(string p)
        {
            var (clientId, secret) = await CreateApiClientAsync(p, "rewards.activities");
            return Factory.CreateClient(await Factory.TokenAsync(clientId, secret, grantType: Rewards.Api.Infrastructure.Auth.MemberGrant.Type, memberId: "alice"));
        }
        using var closedMember = await MemberClient(closed);
        using var openMember = await MemberClient(open);

        await AssertProblemAsync(await RedeemAsync(closed, "alice", new { rewardId = closedReward }, client: closedMember), HttpStatusCode.Forbidden);
        var own = await RedeemAsync(open, "me", new { rewardId = openReward, hold = true }, client: openMember);
        var others = await RedeemAsync(open, "bob", new { rewardId = openReward }, client: openMember);

        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        await AssertProblemAsync(others, HttpStatusCode.NotFound);
        var redemptionId = JsonDocument.Parse(await own.Content.ReadAsStringAsync()).RootElement.GetProperty("redemptionId").GetString();
        var confirm = await openMember.PostAsync($"/v1/programs/{open}/members/me/redemptions/{redemptionId}/confirm", null);
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        var list = await openMember.GetAsync($"/v1/programs/{open}/members/me/redemptions");
        Assert.Equal(1, JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetProperty("total").GetInt64());
        Assert.Equal(100, await BalanceAsync(closed, "alice"));
    }

    [Fact]
    public async Task Figures_AndStats_CountConfirmedRedemptionsAndPointsPerReward()
    {
        var id = await CreateRewardsProgramAsync();
        await GiveAsync(id, "alice", 300);
        var coffee = await CreateRewardAsync(id, Voucher(20));
        var mug = await CreateRewardAsync(id, new { kind = "physical", title = new { @default = "Mug" }, costPoints = 50 });

        await RedeemOkAsync(id, "alice", new { rewardId = coffee, quantity = 2 });
        var cancelled = await RedeemOkAsync(id, "alice", new { rewardId = coffee });
        await MoveAsync(id, "alice", cancelled.GetProperty("redemptionId").GetString()!, "cancel");
        await RedeemOkAsync(id, "alice", new { rewardId = mug });
        await RedeemOkAsync(id, "alice", new { rewardId = mug, hold = true }); // a hold is not redeemed yet

        var figures = (await RewardAsync(id, coffee)).GetProperty("figures");
        Assert.Equal(1, figures.GetProperty("confirmed").GetInt64());
        Assert.Equal(1, figures.GetProperty("cancelled").GetInt64());
        Assert.Equal(2, figures.GetProperty("quantityRedeemed").GetInt64());
        Assert.Equal(40, figures.GetProperty("pointsRedeemed").GetInt64());
        var stats = (await GetJsonAsync($"/v1/programs/{id}/stats")).GetProperty("totals").GetProperty("redemptions");
        Assert.Equal(2, stats.GetProperty("confirmed").GetInt64());
        Assert.Equal(90, stats.GetProperty("pointsRedeemed").GetInt64());
        Assert.Equal(1, stats.GetProperty("perReward").GetProperty(coffee).GetInt64());
        Assert.Equal(1, stats.GetProperty("perReward").GetProperty(mug).GetInt64());
        var all = await GetJsonAsync($"/v1/programs/{id}/redemptions?limit=2");
        Assert.Equal(4, all.GetProperty("total").GetInt64());
        Assert.Equal(2, all.GetProperty("redemptions").GetArrayLength());
    }
}
