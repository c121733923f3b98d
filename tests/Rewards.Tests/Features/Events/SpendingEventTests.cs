using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Catalogue;
using Rewards.Api.Features.Lots;
using Rewards.Api.Features.Programs;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Events;

/// <summary>
/// The spending events (issue 15's redemptions and points adjustments, expiry): each written by its change, in the change's
/// script run, and only then: a refused, replayed or impossible change emits nothing.
/// </summary>
public sealed class SpendingEventTests(RewardsApiFactory factory) : EventTest(factory)
{
    private Task<string> CreateSpendingProgramAsync() => CreateProgramAsync(new
    {
        rules = new Dictionary<string, object> { ["gift"] = new { points = 100 } },
    });

    private async Task<string> CreateRewardAsync(string programId, object body) =>
        (await PostJsonAsync($"/v1/programs/{programId}/rewards", body, HttpStatusCode.Created)).GetProperty("reward").GetProperty("rewardId").GetString()!;

    private static object Voucher(long cost, long? stock = null) =>
        new { kind = "voucher", title = new { @default = "Free coffee" }, costPoints = cost, stock };

    private Task<HttpResponseMessage> RedeemAsync(string programId, string memberId, object body, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{programId}/members/{memberId}/redemptions") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return Client.SendAsync(request);
    }

    private async Task<string> RedeemOkAsync(string programId, string memberId, object body, string? key = null)
    {
        var response = await RedeemAsync(programId, memberId, body, key);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("redemptionId").GetString()!;
    }

    private Task<JsonElement> MoveAsync(string programId, string memberId, string redemptionId, string action, HttpStatusCode expected = HttpStatusCode.OK) =>
        PostJsonAsync($"/v1/programs/{programId}/members/{memberId}/redemptions/{redemptionId}/{action}", null, expected);

    private async Task<List<JsonElement>> RedemptionEventsAsync(string programId) =>
        [.. (await EventsAsync(programId)).Where(e => TypeOf(e).StartsWith("redemption.", StringComparison.Ordinal))];

    [Fact]
    [Emits("redemption.created", "redemption.confirmed")]
    public async Task Redeem_EmitsCreatedThenConfirmed_AHoldCreatedOnly_AndRefusalsReplaysConflictsNothing()
    {
        var id = await CreateSpendingProgramAsync();
        await RecordAsync(id, "alice", "gift");
        var voucher = await CreateRewardAsync(id, Voucher(40, stock: 5));
        var dear = await CreateRewardAsync(id, Voucher(1000));

        var key = Guid.NewGuid().ToString();
        var now = await RedeemOkAsync(id, "alice", new { rewardId = voucher }, key);
        var held = await RedeemOkAsync(id, "alice", new { rewardId = voucher, hold = true });

        var events = await RedemptionEventsAsync(id);
        Assert.Equal(["redemption.created", "redemption.confirmed", "redemption.created"], Types(events));
        Assert.All(events, e => Assert.Equal("alice", MemberOf(e)));
        var created = Data(events[0]);
        Assert.Equal((now, voucher, "voucher", 1L, 40L, 60L), (created.GetProperty("redemptionId").GetString(), created.GetProperty("rewardId").GetString(),
            created.GetProperty("kind").GetString(), created.GetProperty("quantity").GetInt64(), created.GetProperty("points").GetInt64(),
            created.GetProperty("balance").GetInt64()));
        Assert.False(created.TryGetProperty("holdUntilUnixMs", out _));
        Assert.False(Data(events[1]).TryGetProperty("codes", out _)); // the voucher is never in an event
        Assert.Equal((now, 40L), (Data(events[1]).GetProperty("redemptionId").GetString(), Data(events[1]).GetProperty("points").GetInt64()));
        var hold = Data(events[2]);
        Assert.Equal((held, 20L), (hold.GetProperty("redemptionId").GetString(), hold.GetProperty("balance").GetInt64()));
        Assert.Equal(RewardsApiFactory.DefaultNow.AddMinutes(15).ToUnixTimeMilliseconds(), hold.GetProperty("holdUntilUnixMs").GetInt64());
        // Their sequence continues the member's (after the gift's activity.awarded and tier/badge events, if any).
        Assert.True(events[1].GetProperty("sequence").GetInt64() == events[0].GetProperty("sequence").GetInt64() + 1);

        var before = await EventsAsync(id);
        var refused = await RedeemAsync(id, "alice", new { rewardId = dear });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode); // insufficient points
        Assert.Equal(HttpStatusCode.Created, (await RedeemAsync(id, "alice", new { rewardId = voucher }, key)).StatusCode); // replay
        var conflict = await RedeemAsync(id, "alice", new { rewardId = voucher, quantity = 2 }, key); // the same key, another body
        Assert.True(conflict.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity, conflict.StatusCode.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await RedeemAsync(id, "bob", new { rewardId = voucher })).StatusCode); // unknown member
        Assert.Equal(Types(before), Types(await EventsAsync(id)));
    }

    [Fact]
    [Emits("redemption.confirmed", "redemption.cancelled", "redemption.expired", "redemption.fulfilled")]
    public async Task Moves_EmitConfirmedCancelledExpiredFulfilled_AndRefusedMovesNothing()
    {
        var id = await CreateSpendingProgramAsync();
        await RecordAsync(id, "alice", "gift");
        await RecordAsync(id, "alice", "gift");
        var voucher = await CreateRewardAsync(id, Voucher(40, stock: 5));
        var mug = await CreateRewardAsync(id, new { kind = "physical", title = new { @default = "Mug" }, costPoints = 10, stock = 5 });

        var held = await RedeemOkAsync(id, "alice", new { rewardId = voucher, hold = true });
        await MoveAsync(id, "alice", held, "confirm");
        await MoveAsync(id, "alice", held, "cancel");
        var expiring = await RedeemOkAsync(id, "alice", new { rewardId = voucher, hold = true });
        var shipped = await RedeemOkAsync(id, "alice", new { rewardId = mug });
        string Url() => $"/v1/programs/{id}/redemptions/{shipped}/fulfilment";
        await PostJsonAsync(Url(), new { status = "shipped" }, HttpStatusCode.OK);
        await PostJsonAsync(Url(), new { status = "delivered" }, HttpStatusCode.OK);

        var events = await RedemptionEventsAsync(id);
        Assert.Equal(["redemption.created", "redemption.confirmed", "redemption.cancelled", "redemption.created",
            "redemption.created", "redemption.confirmed", "redemption.fulfilled"], Types(events));
        var cancelled = Data(events[2]);
        Assert.Equal((held, 40L, "confirmed", 200L), (cancelled.GetProperty("redemptionId").GetString(), cancelled.GetProperty("points").GetInt64(),
            cancelled.GetProperty("previousState").GetString(), cancelled.GetProperty("balance").GetInt64()));
        Assert.False(cancelled.TryGetProperty("perkWithdrawn", out _)); // only for perk rewards
        Assert.Equal((shipped, mug, "physical"), (Data(events[6]).GetProperty("redemptionId").GetString(), Data(events[6]).GetProperty("rewardId").GetString(),
            Data(events[6]).GetProperty("kind").GetString()));

        // Refused moves: confirming or cancelling what cannot be, a delivery step out of order.
        var before = await EventsAsync(id);
        await MoveAsync(id, "alice", held, "confirm", HttpStatusCode.Conflict);
        await MoveAsync(id, "alice", held, "cancel", HttpStatusCode.Conflict);
        await MoveAsync(id, "alice", shipped, "cancel", HttpStatusCode.Conflict);
        await PostJsonAsync(Url(), new { status = "failed" }, HttpStatusCode.Conflict);
        Assert.Equal(Types(before), Types(await EventsAsync(id)));

        // Not yet due: the job releases nothing; due: the hold expires, once.
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddMinutes(15).AddMilliseconds(-1));
        await Factory.Services.GetRequiredService<HoldExpiryJob>().RunAsync(id);
        Assert.Equal(Types(before), Types(await EventsAsync(id)));
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddMinutes(15));
        await Factory.Services.GetRequiredService<HoldExpiryJob>().RunAsync(id);
        await Factory.Services.GetRequiredService<HoldExpiryJob>().RunAsync(id);
        await MoveAsync(id, "alice", expiring, "confirm", HttpStatusCode.Conflict);
        var after = await EventsAsync(id);
        Assert.Equal(Types(before).Append("redemption.expired"), Types(after));
        var expired = Data(after[^1]);
        Assert.Equal((expiring, "reserved", 190L), (expired.GetProperty("redemptionId").GetString(), expired.GetProperty("previousState").GetString(),
            expired.GetProperty("balance").GetInt64()));
        Assert.Equal(RewardsApiFactory.DefaultNow.AddMinutes(15), after[^1].GetProperty("occurredAt").GetDateTimeOffset());
    }

    [Fact]
    [Emits("perk.granted", "redemption.cancelled")]
    public async Task PerkReward_ConfirmEmitsPerkGranted_WithTheRedemption_AndACancelSaysWhetherThePerkWasWithdrawn()
    {
        var id = await CreateSpendingProgramAsync();
        await RecordAsync(id, "alice", "gift");
        var perkId = (await PostJsonAsync($"/v1/programs/{id}/perks", new { kind = "offer", title = "VIP code", offer = new { codes = new[] { "VIP-1", "VIP-2" } },
            audience = new { type = "members", memberIds = new[] { "nobody" } }, schedule = new { type = "at", at = RewardsApiFactory.FarFuture } },
            HttpStatusCode.Created)).GetProperty("perk").GetProperty("perkId").GetString()!;
        var reward = await CreateRewardAsync(id, new { kind = "perk", title = new { @default = "VIP offer" }, costPoints = 20, perkId });
        async Task<List<JsonElement>> PerkEventsAsync() =>
            [.. (await EventsAsync(id)).Where(e => TypeOf(e).StartsWith("redemption.", StringComparison.Ordinal) || TypeOf(e).StartsWith("perk.", StringComparison.Ordinal))];

        var held = await RedeemOkAsync(id, "alice", new { rewardId = reward, hold = true });
        Assert.Equal(["redemption.created"], Types(await PerkEventsAsync())); // a hold grants nothing yet
        await MoveAsync(id, "alice", held, "confirm");
        var before = await EventsAsync(id);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await RedeemAsync(id, "alice", new { rewardId = reward })).StatusCode); // holds the perk
        Assert.Equal(Types(before), Types(await EventsAsync(id)));
        await MoveAsync(id, "alice", held, "cancel");       // unused: withdrawn
        var kept = await RedeemOkAsync(id, "alice", new { rewardId = reward });
        await PostJsonAsync($"/v1/programs/{id}/members/alice/perks/{perkId}/claim", null, HttpStatusCode.OK);
        await MoveAsync(id, "alice", kept, "cancel");       // claimed: the member keeps it

        var events = await PerkEventsAsync();
        Assert.Equal(["redemption.created", "redemption.confirmed", "perk.granted", "redemption.cancelled",
            "redemption.created", "redemption.confirmed", "perk.granted", "perk.claimed", "redemption.cancelled"], Types(events));
        Assert.All(events, e => Assert.Equal("alice", MemberOf(e)));
        var granted = Data(events[2]);
        Assert.Equal((perkId, held), (granted.GetProperty("perkId").GetString(), granted.GetProperty("redemptionId").GetString()));
        Assert.False(granted.TryGetProperty("runId", out _));
        Assert.Equal(events[1].GetProperty("sequence").GetInt64() + 1, events[2].GetProperty("sequence").GetInt64());
        Assert.Equal(kept, Data(events[6]).GetProperty("redemptionId").GetString());
        Assert.True(Data(events[3]).GetProperty("perkWithdrawn").GetBoolean());
        Assert.False(Data(events[8]).GetProperty("perkWithdrawn").GetBoolean());
        Assert.Single((await GetJsonAsync($"/v1/programs/{id}/members/alice/perks")).GetProperty("perks").EnumerateArray());
    }

    private Task<HttpResponseMessage> AdjustAsync(string programId, string memberId, object body, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{programId}/members/{memberId}/adjustments") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return Client.SendAsync(request);
    }

    [Fact]
    [Emits("points.adjusted")]
    public async Task Adjustment_EmitsPointsAdjusted_WithoutTheNote_AndAReplayConflictOrUnknownMemberNothing()
    {
        var id = await CreateSpendingProgramAsync();
        await RecordAsync(id, "alice", "gift");
        var key = Guid.NewGuid().ToString();
        Assert.Equal(HttpStatusCode.Created, (await AdjustAsync(id, "alice", new { points = -30, reason = "correction", note = "double booking" }, key)).StatusCode);
        var before = await EventsAsync(id);
        Assert.Equal(HttpStatusCode.Created, (await AdjustAsync(id, "alice", new { points = -30, reason = "correction", note = "double booking" }, key)).StatusCode);
        var conflict = await AdjustAsync(id, "alice", new { points = 5, reason = "goodwill" }, key);
        Assert.True((int)conflict.StatusCode is >= 400 and < 500, conflict.StatusCode.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await AdjustAsync(id, "bob", new { points = 5, reason = "goodwill" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await AdjustAsync(id, "alice", new { points = 0, reason = "goodwill" })).StatusCode);

        var after = await EventsAsync(id);
        Assert.Equal(Types(before), Types(after));
        var adjusted = Assert.Single(after, e => TypeOf(e) == "points.adjusted");
        Assert.Equal("alice", MemberOf(adjusted));
        var data = Data(adjusted);
        Assert.Equal((-30L, "correction", false, 70L, 100L), (data.GetProperty("points").GetInt64(), data.GetProperty("reason").GetString(),
            data.GetProperty("countsTowardLifetime").GetBoolean(), data.GetProperty("balance").GetInt64(), data.GetProperty("lifetimePoints").GetInt64()));
        Assert.DoesNotContain("double booking", data.GetRawText());
    }

    [Fact]
    [Emits("member.badge_earned", "member.tier_changed")]
    public async Task Adjustment_CountingTowardLifetime_EmitsBadgeAndTierWithTheAdjustmentId_AndOneThatDoesNotNothingMore()
    {
        var id = await CreateProgramAsync(new
        {
            rules = new Dictionary<string, object> { ["gift"] = new { points = 100 } },
            tiers = new[] { new { name = "Bronze", minLifetimePoints = 100 }, new { name = "Silver", minLifetimePoints = 150 } },
            badges = new[] { new { id = "regular", name = "Regular", when = new { lifetimePoints = 150 } } },
        });
        await RecordAsync(id, "alice", "gift"); // lifetime 100: Bronze
        async Task<string> AdjustOkAsync(object body, string? key = null)
        {
            var response = await AdjustAsync(id, "alice", body, key);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
            return JsonDocument.Parse(text).RootElement.GetProperty("adjustmentId").GetString()!;
        }
        var before = (await EventsAsync(id)).Count;

        var key = Guid.NewGuid().ToString();
        var up = await AdjustOkAsync(new { points = 60, reason = "migration", countsTowardLifetime = true }, key); // 160: Silver, badge
        await AdjustOkAsync(new { points = 60, reason = "migration", countsTowardLifetime = true }, key);          // a replay
        await AdjustOkAsync(new { points = 500, reason = "goodwill" });                                          // the balance only
        var down = await AdjustOkAsync(new { points = -30, reason = "correction", countsTowardLifetime = true }); // 130: Bronze again

        var events = (await EventsAsync(id)).Skip(before).ToList();
        Assert.Equal(["points.adjusted", "member.badge_earned", "member.tier_changed", "points.adjusted", "points.adjusted", "member.tier_changed"],
            Types(events));
        Assert.Equal((up, "regular"), (Data(events[1]).GetProperty("adjustmentId").GetString(), Data(events[1]).GetProperty("badgeId").GetString()));
        Assert.False(Data(events[1]).TryGetProperty("activityId", out _));
        Assert.Equal((up, 2, 1), (Data(events[2]).GetProperty("adjustmentId").GetString(), Data(events[2]).GetProperty("tier").GetInt32(),
            Data(events[2]).GetProperty("previousTier").GetInt32()));
        Assert.Equal((down, 1, 2), (Data(events[5]).GetProperty("adjustmentId").GetString(), Data(events[5]).GetProperty("tier").GetInt32(),
            Data(events[5]).GetProperty("previousTier").GetInt32()));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => events[0].GetProperty("sequence").GetInt64() + i - 1),
            events.Select(e => e.GetProperty("sequence").GetInt64()));
    }

    [Fact]
    [Emits("points.expired")]
    public async Task Expiry_EmitsPointsExpired_OncePerMember_InTheRunThatRemovesTheLots()
    {
        var id = await CreateProgramAsync(new Dictionary<string, object?>
        {
            ["timeZone"] = "Europe/Paris",
            ["rules"] = new Dictionary<string, object> { ["gift"] = new { points = 100 } },
            ["pointsExpiry"] = "P12M",
        });
        await RecordAsync(id, "alice", "gift");
        await RecordAsync(id, "bob", "gift");
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddDays(1));
        await RecordAsync(id, "bob", "gift"); // a later lot: not due with the first
        async Task ExpireAsync()
        {
            var program = await Factory.Services.GetRequiredService<ProgramStore>().FindAsync(id, reload: true);
            await Factory.Services.GetRequiredService<LotStore>().ExpireAsync(program!);
        }

        // 2026-11-18 11:00 in Paris: spendable through 2027-11-18, expiring at its local midnight (23:00Z).
        Factory.SetUtcNow(new DateTimeOffset(2027, 11, 18, 22, 59, 0, TimeSpan.Zero));
        await ExpireAsync();
        Assert.DoesNotContain(await EventsAsync(id), e => TypeOf(e) == "points.expired");

        Factory.SetUtcNow(new DateTimeOffset(2027, 11, 18, 23, 0, 0, TimeSpan.Zero));
        await ExpireAsync();
        await ExpireAsync();
        var expired = (await EventsAsync(id)).Where(e => TypeOf(e) == "points.expired").ToList();
        Assert.Equal(["alice", "bob"], expired.Select(MemberOf).Order(StringComparer.Ordinal));
        var bobs = Data(expired.Single(e => MemberOf(e) == "bob"));
        Assert.Equal((100L, 100L), (bobs.GetProperty("points").GetInt64(), bobs.GetProperty("balance").GetInt64()));
        var lot = Assert.Single(bobs.GetProperty("lots").EnumerateArray());
        Assert.Equal(("2027-11-18", 100L), (lot.GetProperty("expiryDate").GetString(), lot.GetProperty("points").GetInt64()));
        Assert.Equal(new DateTimeOffset(2027, 11, 18, 23, 0, 0, TimeSpan.Zero), expired[0].GetProperty("occurredAt").GetDateTimeOffset());
    }
}
