using Rewards.Api.Infrastructure.Redis;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rewards.Api.Features.Insights;
using Rewards.Api.Features.Perks;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Gamification;

public sealed class GamificationTests(RewardsApiFactory factory) : ApiTest(factory)
{
    /// <summary>How long KPI counters and ambassadors' daily points are kept, as the API is configured.</summary>
    private TimeSpan Retention => TimeSpan.FromSeconds(Factory.Services.GetRequiredService<IOptions<InsightsOptions>>().Value.RetentionSeconds);

    private static DateTimeOffset Utc(string value) => DateTimeOffset.Parse(value);

    private static readonly object Rules = new
    {
        review = new { points = 50 }, share = new { points = 10 }, referral = new { points = 100 }, vote = new { points = 1 },
    };

    private async Task<JsonElement> At(string programId, string member, string type, DateTimeOffset at, string? target = null)
    {
        Factory.SetUtcNow(at);
        return await RecordAsync(programId, member, type, target);
    }

    [Fact]
    public async Task Tier_GoesUpWithLifetimePoints_AndDownOnReversal()
    {
        var id = await CreateProgramAsync(new { rules = Rules, tiers = new[] { new { name = "Bronze", minLifetimePoints = 0 },
            new { name = "Silver", minLifetimePoints = 100 }, new { name = "Gold", minLifetimePoints = 200 } } });

        var first = await RecordAsync(id, "m", "review");
        var second = await RecordAsync(id, "m", "review");
        var third = await RecordAsync(id, "m", "review");

        Assert.Equal(("Bronze", true), (first.GetProperty("tier").GetString(), first.GetProperty("tierChanged").GetBoolean()));
        Assert.Equal(("Silver", true), (second.GetProperty("tier").GetString(), second.GetProperty("tierChanged").GetBoolean()));
        Assert.Equal(("Silver", false), (third.GetProperty("tier").GetString(), third.GetProperty("tierChanged").GetBoolean()));
        var profile = await GetMemberAsync(id, "m");
        Assert.Equal("Gold", profile.GetProperty("progress").GetProperty("nextTier").GetString());
        Assert.Equal(50, profile.GetProperty("progress").GetProperty("pointsToNextTier").GetInt64());

        await PostJsonAsync($"/v1/programs/{id}/activities/{third.GetProperty("activityId").GetString()}/reverse", new { reason = "x" }, HttpStatusCode.OK);
        var down = await PostJsonAsync($"/v1/programs/{id}/activities/{second.GetProperty("activityId").GetString()}/reverse", new { reason = "fake" },
            HttpStatusCode.OK);

        Assert.Equal(("Bronze", true), (down.GetProperty("tier").GetString(), down.GetProperty("tierChanged").GetBoolean()));
        Assert.Equal("Bronze", (await GetMemberAsync(id, "m")).GetProperty("progress").GetProperty("tier").GetString());
        var kinds = (await GetLedgerAsync(id, "m")).Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.Equal(3, kinds.Count(k => k == "tier")); // none → Bronze → Silver → Bronze
    }

    [Fact]
    public async Task Ledger_ExplainsTierAndBadgeEntries_WithCurrentNames_FallingBackToTheStoredIds()
    {
        var settings = new
        {
            rules = Rules,
            tiers = new[] { new { name = "Bronze", minLifetimePoints = 0 }, new { name = "Silver", minLifetimePoints = 100 } },
            badges = new[] { new { id = "first-review", name = "First review", when = new { activityType = "review", count = 1 } } },
        };
        var id = await CreateProgramAsync(settings);
        await RecordAsync(id, "m", "review");
        var second = await RecordAsync(id, "m", "review");
        await PostJsonAsync($"/v1/programs/{id}/activities/{second.GetProperty("activityId").GetString()}/reverse", new { reason = "fake" },
            HttpStatusCode.OK);
        async Task<string[]> Explained() => [.. (await GetLedgerAsync(id, "m")).Where(e => e.GetProperty("kind").GetString() is "tier" or "badge")
            .Select(e => e.GetProperty("description").GetString()!)];

        Assert.Equal(["Dropped to tier Bronze: a reversal lowered lifetime points.", "Reached tier Silver.", "Reached tier Bronze.",
            "Earned badge First review."], await Explained());
        var newest = await GetJsonAsync($"/v1/programs/{id}/members/m/ledger?limit=1"); // the reversal it follows is on the next page
        Assert.Equal("Dropped to tier Bronze: a reversal lowered lifetime points.", newest.GetProperty("entries")[0].GetProperty("description").GetString());

        // Renamed, and a tier and the badge gone: the current names where they exist, the stored tier number and badge id otherwise.
        var update = await Client.PutAsJsonAsync($"/v1/programs/{id}", new { name = "Gamified", timeZone = "Europe/Paris", rules = Rules,
            tiers = new[] { new { name = "Starter", minLifetimePoints = 0 } } });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal(["Dropped to tier Starter: a reversal lowered lifetime points.", "Reached tier 2.", "Reached tier Starter.",
            "Earned badge first-review."], await Explained());
    }

    [Fact]
    public async Task Badges_AreEarnedExactlyAtTheirThreshold_AndOnce()
    {
        var id = await CreateProgramAsync(new
        {
            rules = Rules,
            badges = new object[]
            {
                new { id = "first-review", name = "First review", when = new { activityType = "review", count = 1 } },
                new { id = "three-shares", name = "Sharer", when = new { activityType = "share", count = 3 } },
                new { id = "hundred", name = "Century", when = new { lifetimePoints = 100 } },
            },
        });

        Assert.Empty((await RecordAsync(id, "m", "share")).GetProperty("newBadges").EnumerateArray());
        Assert.Empty((await RecordAsync(id, "m", "share")).GetProperty("newBadges").EnumerateArray());
        Assert.Equal(["three-shares"], (await RecordAsync(id, "m", "share")).GetProperty("newBadges").EnumerateArray().Select(b => b.GetString()));
        Assert.Equal(["first-review"], (await RecordAsync(id, "m", "review")).GetProperty("newBadges").EnumerateArray().Select(b => b.GetString())); // 80
        Assert.Empty((await RecordAsync(id, "m", "share")).GetProperty("newBadges").EnumerateArray()); // 90
        Assert.Equal(["hundred"], (await RecordAsync(id, "m", "share")).GetProperty("newBadges").EnumerateArray().Select(b => b.GetString())); // 100
        Assert.Empty((await RecordAsync(id, "m", "review")).GetProperty("newBadges").EnumerateArray());

        var progress = (await GetMemberAsync(id, "m")).GetProperty("progress");
        Assert.Equal(["first-review", "three-shares", "hundred"], progress.GetProperty("badges").EnumerateArray().Select(b => b.GetProperty("id").GetString()));
        Assert.Equal(3, (await GetLedgerAsync(id, "m")).Count(e => e.GetProperty("kind").GetString() == "badge"));
    }

    [Fact]
    public async Task Profile_ShowsProgressTowardEachUnearnedBadge()
    {
        var id = await CreateProgramAsync(new
        {
            rules = Rules,
            badges = new object[]
            {
                new { id = "first-share", name = "First share", when = new { activityType = "share", count = 1 } },
                new { id = "three-reviews", name = "Critic", when = new { activityType = "review", count = 3 } },
                new { id = "hundred", name = "Century", when = new { lifetimePoints = 100 } },
                new { id = "streak-3", name = "Regular", when = new { streakDays = 3 } },
            },
        });
        await At(id, "m", "review", Utc("2026-11-17T10:00:00Z"));
        await At(id, "m", "share", Utc("2026-11-18T10:00:00Z")); // 60 points, a 2-day streak
        string[] InProgress(JsonElement profile) => [.. profile.GetProperty("progress").GetProperty("badgesInProgress").EnumerateArray()
            .Select(b => $"{b.GetProperty("id").GetString()}:{b.GetProperty("name").GetString()}:{b.GetProperty("current").GetInt64()}/{b.GetProperty("target").GetInt64()}")];

        var profile = await GetMemberAsync(id, "m");

        Assert.Equal(["first-share"], profile.GetProperty("progress").GetProperty("badges").EnumerateArray().Select(b => b.GetProperty("id").GetString()));
        Assert.Equal(["three-reviews:Critic:1/3", "hundred:Century:60/100", "streak-3:Regular:2/3"], InProgress(profile));

        Factory.SetUtcNow(Utc("2026-11-20T10:00:00Z")); // the 19th was missed: the streak is broken
        Assert.Equal(["three-reviews:Critic:1/3", "hundred:Century:60/100", "streak-3:Regular:0/3"], InProgress(await GetMemberAsync(id, "m")));
    }

    [Fact]
    public async Task Streaks_CountLocalDays_AcrossMidnight_AndBreakOnAMissedDay()
    {
        var id = await CreateProgramAsync(new
        {
            rules = Rules,
            badges = new[] { new { id = "streak-2", name = "Two days", when = new { streakDays = 2 } } },
        });

        await At(id, "m", "vote", Utc("2026-11-16T22:30:00Z")); // 23:30 on Mon 16 Nov in Paris
        var nextDay = await At(id, "m", "vote", Utc("2026-11-16T23:30:00Z")); // 00:30 on Tue 17: day two
        Assert.Equal(["streak-2"], nextDay.GetProperty("newBadges").EnumerateArray().Select(b => b.GetString()));
        await At(id, "m", "vote", Utc("2026-11-17T10:00:00Z")); // same day: no change
        Assert.Equal(2, (await GetMemberAsync(id, "m")).GetProperty("progress").GetProperty("currentStreak").GetInt32());

        Factory.SetUtcNow(Utc("2026-11-19T10:00:00Z")); // Thu 19: Wed was missed
        var progress = (await GetMemberAsync(id, "m")).GetProperty("progress");
        Assert.Equal((0, 2), (progress.GetProperty("currentStreak").GetInt32(), progress.GetProperty("bestStreak").GetInt32()));
        await At(id, "m", "vote", Utc("2026-11-19T10:00:00Z"));
        progress = (await GetMemberAsync(id, "m")).GetProperty("progress");
        Assert.Equal((1, 2), (progress.GetProperty("currentStreak").GetInt32(), progress.GetProperty("bestStreak").GetInt32()));
    }

    [Fact]
    public async Task Velocity_HoldsActivitiesAsPending_AndFlagsTheMember_UntilUnflagged()
    {
        var id = await CreateProgramAsync(new { rules = Rules, velocity = new { maxPerMinute = 3 } });
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("awarded", (await RecordAsync(id, "bot", "vote")).GetProperty("status").GetString());
        }

        var held = await RecordAsync(id, "bot", "vote");

        Assert.Equal(("pending", "velocity"), (held.GetProperty("status").GetString(), held.GetProperty("reason").GetString()));
        Assert.Equal(3, held.GetProperty("balance").GetInt64());
        var flagged = await GetJsonAsync($"/v1/programs/{id}/members?flagged=true");
        Assert.Equal(["bot"], flagged.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("memberId").GetString()));
        Assert.Equal("awarded", (await RecordAsync(id, "human", "vote")).GetProperty("status").GetString());

        Factory.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("awarded", (await RecordAsync(id, "bot", "vote")).GetProperty("status").GetString());
        await PostJsonAsync($"/v1/programs/{id}/members/bot/unflag", null, HttpStatusCode.OK);
        Assert.Empty((await GetJsonAsync($"/v1/programs/{id}/members?flagged=true")).GetProperty("members").EnumerateArray());
        Assert.Equal(2, (await GetJsonAsync($"/v1/programs/{id}/members")).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Velocity_CountsRefusedActivitiesToo_SoHammeringADuplicateFlagsTheMember()
    {
        var id = await CreateProgramAsync(new
        {
            rules = new { review = new { points = 50, uniquePerTarget = true } }, velocity = new { maxPerMinute = 3 },
        });
        Assert.Equal("awarded", (await RecordAsync(id, "bot", "review", "product-1")).GetProperty("status").GetString());
        for (var i = 0; i < 3; i++)
        {
            var again = await RecordAsync(id, "bot", "review", "product-1");
            Assert.Equal(("rejected", "duplicate_target"), (again.GetProperty("status").GetString(), again.GetProperty("reason").GetString()));
        }

        var flagged = await GetJsonAsync($"/v1/programs/{id}/members?flagged=true");
        Assert.Equal(["bot"], flagged.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("memberId").GetString()));
        var next = await RecordAsync(id, "bot", "review", "product-2");
        Assert.Equal(("pending", "velocity"), (next.GetProperty("status").GetString(), next.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task Referrals_CannotTargetOneself_AndAwardOncePerReferredMember()
    {
        var id = await CreateProgramAsync(new { rules = Rules });

        await AssertProblemAsync(await PostActivityAsync(id, new { memberId = "ann", type = "referral", targetId = "ann" }), HttpStatusCode.UnprocessableEntity);
        await AssertProblemAsync(await PostActivityAsync(id, new { memberId = "ann", type = "referral" }), HttpStatusCode.UnprocessableEntity);
        var first = await RecordAsync(id, "ann", "referral", "newbie");
        var second = await RecordAsync(id, "bob", "referral", "newbie");

        Assert.Equal("awarded", first.GetProperty("status").GetString());
        Assert.Equal(("rejected", "already_referred"), (second.GetProperty("status").GetString(), second.GetProperty("reason").GetString()));
        Assert.Equal("awarded", (await RecordAsync(id, "bob", "referral", "another")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task RejectedReferral_LeavesTheReferredMemberFreeToBeReferred()
    {
        var id = await CreateProgramAsync(new { rules = new { referral = new { points = 100, requiresApproval = true } } });
        var first = await RecordAsync(id, "ann", "referral", "newbie");
        Assert.Equal("already_referred", (await RecordAsync(id, "bob", "referral", "newbie")).GetProperty("reason").GetString());

        await PostJsonAsync($"/v1/programs/{id}/activities/{first.GetProperty("activityId").GetString()}/reject", new { reason = "not a real referral" },
            HttpStatusCode.OK);

        Assert.Equal("pending", (await RecordAsync(id, "carol", "referral", "newbie")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task KpiCounters_ExpireAfterTheConfiguredRetention()
    {
        var id = await CreateProgramAsync(new { rules = Rules });
        await RecordAsync(id, "m", "vote");

        var ttl = await Factory.Redis.GetDatabase().KeyTimeToLiveAsync(RedisKeys.Stats(id, "2026-11-18"));

        Assert.InRange(ttl!.Value, Retention - TimeSpan.FromMinutes(1), Retention);
    }

    [Fact]
    public async Task NewMembers_CountsMembersCreatedByPut_OnTheProgramsLocalDay_ButNotUpdates()
    {
        var id = await CreateProgramAsync(new { rules = Rules });
        Factory.SetUtcNow(Utc("2026-11-18T23:30:00Z")); // 00:30 on 19 Nov in Paris

        Assert.Equal(HttpStatusCode.Created, (await Client.PutAsJsonAsync($"/v1/programs/{id}/members/ann", new { displayName = "Ann" })).StatusCode);
        var ttl = await Factory.Redis.GetDatabase().KeyTimeToLiveAsync(RedisKeys.Stats(id, "2026-11-19"));
        Assert.Equal(HttpStatusCode.OK, (await Client.PutAsJsonAsync($"/v1/programs/{id}/members/ann", new { displayName = "Ann B." })).StatusCode);
        await RecordAsync(id, "bob", "vote"); // created by a first activity: counted by the award
        Assert.Equal(HttpStatusCode.OK, (await Client.PutAsJsonAsync($"/v1/programs/{id}/members/bob", new { displayName = "Bob" })).StatusCode);

        var stats = await GetJsonAsync($"/v1/programs/{id}/stats?from=2026-11-18&to=2026-11-19");
        Assert.Equal([0L, 2L], stats.GetProperty("days").EnumerateArray().Select(d => d.GetProperty("newMembers").GetInt64()));
        Assert.Equal(2, stats.GetProperty("totals").GetProperty("newMembers").GetInt64());
        Assert.InRange(ttl!.Value, Retention - TimeSpan.FromMinutes(1), Retention);
    }

    [Fact]
    public async Task Ambassadors_RankRecentContribution_LeaveOutFlaggedAndSuspended_AndShowTheMix()
    {
        var id = await CreateProgramAsync(new { rules = Rules, velocity = new { maxPerMinute = 5 } });
        var today = Utc("2026-11-18T10:00:00Z");
        await At(id, "old-timer", "review", today.AddDays(-40));
        await At(id, "old-timer", "review", today.AddDays(-40).AddMinutes(1));
        Factory.SetUtcNow(today);
        await RecordAsync(id, "alice", "review");
        await RecordAsync(id, "alice", "share");
        var reversed = await RecordAsync(id, "alice", "share");
        await PostJsonAsync($"/v1/programs/{id}/activities/{reversed.GetProperty("activityId").GetString()}/reverse",
            new { reason = "spam" }, HttpStatusCode.OK);
        await RecordAsync(id, "bob", "review");
        await RecordAsync(id, "carol", "share");
        await RecordAsync(id, "suspended", "referral", "x1");
        await PostJsonAsync($"/v1/programs/{id}/members/suspended/suspend", null, HttpStatusCode.OK);
        for (var i = 0; i < 6; i++)
        {
            await RecordAsync(id, "spammer", "review", $"p{i}"); // 5 awarded (250 points), then held: flagged
        }

        var report = await GetJsonAsync($"/v1/programs/{id}/ambassadors?days=30&limit=10");

        var ranked = report.GetProperty("ambassadors").EnumerateArray().ToList();
        Assert.Equal(["alice", "bob", "carol"], ranked.Select(a => a.GetProperty("memberId").GetString()));
        Assert.Equal([60, 50, 10], ranked.Select(a => a.GetProperty("points").GetInt64()));
        var mix = ranked[0].GetProperty("mix").EnumerateArray().Select(c => $"{c.GetProperty("type").GetString()}:{c.GetProperty("activities").GetInt32()}:{c.GetProperty("points").GetInt64()}");
        Assert.Equal(["review:1:50", "share:1:10"], mix);
    }

    [Fact]
    public async Task Ambassadors_LeaveOutAnErasedMember()
    {
        var id = await CreateProgramAsync(new { rules = Rules });
        await RecordAsync(id, "alice", "review");
        await RecordAsync(id, "bob", "share");
        string[] Ranked(JsonElement report) => [.. report.GetProperty("ambassadors").EnumerateArray().Select(a => a.GetProperty("memberId").GetString()!)];
        Assert.Equal(["alice", "bob"], Ranked(await GetJsonAsync($"/v1/programs/{id}/ambassadors?days=7")));

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/members/alice")).StatusCode);

        Assert.Equal(["bob"], Ranked(await GetJsonAsync($"/v1/programs/{id}/ambassadors?days=7")));
    }

    [Fact]
    public async Task Stats_CountReversedPointsOnTheDayOfTheReversal_AndActiveMembersOnceOverARange()
    {
        var id = await CreateProgramAsync(new { rules = Rules });
        await At(id, "alice", "review", Utc("2026-11-18T10:00:00Z"));
        var shared = await At(id, "bob", "share", Utc("2026-11-18T10:01:00Z"));
        await At(id, "alice", "share", Utc("2026-11-19T10:00:00Z"));
        await At(id, "carol", "vote", Utc("2026-11-19T10:01:00Z"));
        await PostJsonAsync($"/v1/programs/{id}/activities/{shared.GetProperty("activityId").GetString()}/reverse", new { reason = "spam" },
            HttpStatusCode.OK);

        var stats = await GetJsonAsync($"/v1/programs/{id}/stats?from=2026-11-18&to=2026-11-19");

        var days = stats.GetProperty("days").EnumerateArray().ToList();
        var totals = stats.GetProperty("totals");
        Assert.Equal([0L, 10L], days.Select(d => d.GetProperty("pointsReversed").GetInt64())); // reversed on the 19th, earned on the 18th
        Assert.Equal(10, totals.GetProperty("pointsReversed").GetInt64());
        Assert.Equal([60L, 11L], days.Select(d => d.GetProperty("pointsIssued").GetInt64()));
        Assert.Equal(71, totals.GetProperty("pointsIssued").GetInt64());
        Assert.Equal([2L, 2L], days.Select(d => d.GetProperty("activeMembers").GetInt64()));
        Assert.Equal(3, totals.GetProperty("activeMembers").GetInt64()); // alice, bob, carol: alice counts once over both days
    }

    [Fact]
    public async Task Stats_MatchTheLedger_ForAGeneratedDayOfActivity()
    {
        var id = await CreateProgramAsync(new
        {
            rules = new { review = new { points = 50, requiresApproval = true, uniquePerTarget = true }, share = new { points = 10, dailyCap = 2 }, vote = new { points = 1 } },
        });
        var random = new Random(7);
        var members = Enumerable.Range(0, 6).Select(i => $"m{i}").ToArray();
        var types = new[] { "review", "share", "vote" };
        Factory.SetUtcNow(Utc("2026-11-18T08:00:00Z"));
        var pendingIds = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            Factory.Clock.Advance(TimeSpan.FromSeconds(30));
            var answer = await RecordAsync(id, members[random.Next(members.Length)], types[random.Next(types.Length)], $"t{random.Next(4)}");
            if (answer.GetProperty("status").GetString() == "pending")
            {
                pendingIds.Add(answer.GetProperty("activityId").GetString()!);
            }
        }
        await PostJsonAsync($"/v1/programs/{id}/activities/{pendingIds[0]}/approve", null, HttpStatusCode.OK);
        await PostJsonAsync($"/v1/programs/{id}/activities/{pendingIds[1]}/reject", null, HttpStatusCode.OK);

        var stats = await GetJsonAsync($"/v1/programs/{id}/stats?from=2026-11-18&to=2026-11-18");

        var ledger = new List<JsonElement>();
        var activeMembers = 0;
        foreach (var m in members)
        {
            if ((await Client.GetAsync($"/v1/programs/{id}/members/{m}")).IsSuccessStatusCode)
            {
                ledger.AddRange(await GetLedgerAsync(id, m));
                activeMembers++;
            }
        }
        var day = stats.GetProperty("days")[0];
        foreach (var type in types)
        {
            var ofType = ledger.Where(e => e.GetProperty("type").GetString() == type).ToList();
            // An activity's latest ledger word is its outcome: award/approval = awarded, pending = still pending, rejection = rejected.
            var outcomes = ofType.GroupBy(e => e.GetProperty("activityId").GetString()).Select(g => g.First().GetProperty("kind").GetString()).ToList();
            var counts = day.GetProperty("interactions").TryGetProperty(type, out var c) ? c : default;
            Assert.Equal(outcomes.Count(k => k is "award" or "approval"), counts.ValueKind == JsonValueKind.Undefined ? 0 : counts.GetProperty("awarded").GetInt64());
            Assert.Equal(outcomes.Count(k => k == "pending"), counts.ValueKind == JsonValueKind.Undefined ? 0 : counts.GetProperty("pending").GetInt64());
            Assert.Equal(outcomes.Count(k => k == "rejection"), counts.ValueKind == JsonValueKind.Undefined ? 0 : counts.GetProperty("rejected").GetInt64());
        }
        Assert.Equal(ledger.Sum(e => e.GetProperty("points").GetInt64()), day.GetProperty("pointsIssued").GetInt64());
        Assert.Equal(activeMembers, day.GetProperty("activeMembers").GetInt64());
        Assert.Equal(activeMembers, day.GetProperty("newMembers").GetInt64());
        Assert.Equal(activeMembers, stats.GetProperty("totals").GetProperty("activeMembers").GetInt64());
        var recorded = day.GetProperty("interactions").EnumerateObject()
            .Sum(t => t.Value.GetProperty("awarded").GetInt64() + t.Value.GetProperty("pending").GetInt64() + t.Value.GetProperty("rejected").GetInt64());
        Assert.Equal(60, recorded);
    }

    [Fact]
    public async Task PerkAudiences_SelectByTierAndBadge()
    {
        var id = await CreateProgramAsync(new
        {
            rules = Rules,
            tiers = new[] { new { name = "Bronze", minLifetimePoints = 0 }, new { name = "Gold", minLifetimePoints = 100 } },
            badges = new[] { new { id = "first-review", name = "First review", when = new { activityType = "review", count = 1 } } },
        });
        await RecordAsync(id, "gold", "referral", "someone");
        await RecordAsync(id, "reviewer", "review");
        await RecordAsync(id, "sharer", "share");
        async Task<string[]> GrantedTo(object audience)
        {
            var perk = await PostJsonAsync($"/v1/programs/{id}/perks", new { kind = "news", title = "x",
                news = new { body = new { @default = "y" }, earlyAt = Factory.Clock.GetUtcNow(), publicAt = Factory.Clock.GetUtcNow().AddDays(1) },
                audience, schedule = new { type = "at", at = RewardsApiFactory.FarFuture } }, HttpStatusCode.Created);
            var perkId = perk.GetProperty("perk").GetProperty("perkId").GetString()!;
            await Factory.Services.GetRequiredService<PerkGrantJob>().GrantAsync(id, perkId, "r");
            var result = new List<string>();
            foreach (var m in new[] { "gold", "reviewer", "sharer" })
            {
                var inbox = await GetJsonAsync($"/v1/programs/{id}/members/{m}/perks");
                if (inbox.GetProperty("perks").EnumerateArray().Any(p => p.GetProperty("perkId").GetString() == perkId))
                {
                    result.Add(m);
                }
            }
            return [.. result];
        }

        Assert.Equal(["gold"], await GrantedTo(new { type = "minTier", tier = "Gold" }));
        Assert.Equal(["reviewer"], await GrantedTo(new { type = "badge", badge = "first-review" }));
        await AssertProblemAsync(await Client.PostAsJsonAsync($"/v1/programs/{id}/perks", new { kind = "news", title = "x",
            news = new { body = new { @default = "y" }, earlyAt = Factory.Clock.GetUtcNow(), publicAt = Factory.Clock.GetUtcNow() },
            audience = new { type = "minTier", tier = "Platinum" }, schedule = new { type = "now" } }), HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("""{ "tiers": [ { "name": "Silver", "minLifetimePoints": 100 }, { "name": "Bronze", "minLifetimePoints": 0 } ] }""")]
    [InlineData("""{ "badges": [ { "id": "b", "name": "B", "when": { "activityType": "review", "count": 1, "lifetimePoints": 5 } } ] }""")]
    [InlineData("""{ "badges": [ { "id": "b", "name": "B", "when": { "activityType": "dance", "count": 1 } } ] }""")]
    [InlineData("""{ "badges": [ { "id": "Bad Id", "name": "B", "when": { "streakDays": 3 } } ] }""")]
    [InlineData("""{ "velocity": { "maxPerMinute": 0 } }""")]
    public async Task InvalidGamificationSettings_AreRefused(string extra)
    {
        var body = JsonSerializer.SerializeToNode(new { id = NewId("g"), name = "x", timeZone = "UTC", rules = new { review = new { points = 5 } } })!.AsObject();
        foreach (var (key, value) in System.Text.Json.Nodes.JsonNode.Parse(extra)!.AsObject().ToList())
        {
            body[key] = value?.DeepClone();
        }
        await AssertProblemAsync(await Client.PostAsJsonAsync("/v1/programs", body), HttpStatusCode.BadRequest);
    }
}
