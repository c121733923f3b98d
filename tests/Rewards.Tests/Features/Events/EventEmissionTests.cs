using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Events;
using Rewards.Api.Features.Leaderboards;
using Rewards.Api.Features.Perks;
using Rewards.Tests.Infrastructure;
using StackExchange.Redis;

namespace Rewards.Tests.Features.Events;

/// <summary>Each event type is written by its change, in the change's script run, and only then: a refused change emits nothing.</summary>
public sealed class EventEmissionTests(RewardsApiFactory factory) : EventTest(factory)
{
    private const string Rules = """{ "review": { "points": 50 }, "share": { "points": 10, "dailyCap": 2 } }""";

    [Fact]
    [Emits("activity.awarded", "member.badge_earned", "member.tier_changed")]
    public async Task Award_EmitsAwarded_ThenBadgeAndTier_WithTheMembersSequence()
    {
        var id = await CreateProgramAsync(new
        {
            rules = new { review = new { points = 50 } },
            tiers = new[] { new { name = "Bronze", minLifetimePoints = 0 }, new { name = "Silver", minLifetimePoints = 100 } },
            badges = new[] { new { id = "first-review", name = "First review", when = new { activityType = "review", count = 1 } } },
        });

        var first = await RecordAsync(id, "alice", "review", "product-1");
        await RecordAsync(id, "alice", "review", "product-2");
        await RecordAsync(id, "alice", "review", "product-3"); // the badge is held and the top tier reached: nothing more of them

        var events = (await EventsAsync(id)).Where(e => MemberOf(e) == "alice").ToList();
        Assert.Equal(["activity.awarded", "member.badge_earned", "member.tier_changed", "activity.awarded", "member.tier_changed", "activity.awarded"],
            Types(events));
        Assert.Equal([1L, 2, 3, 4, 5, 6], events.Select(e => e.GetProperty("sequence").GetInt64()));
        var awarded = Data(events[0]);
        Assert.Equal(first.GetProperty("activityId").GetString(), awarded.GetProperty("activityId").GetString());
        Assert.Equal(("review", "product-1", 50L, 50L, 50L), (awarded.GetProperty("type").GetString(), awarded.GetProperty("targetId").GetString(),
            awarded.GetProperty("points").GetInt64(), awarded.GetProperty("balance").GetInt64(), awarded.GetProperty("lifetimePoints").GetInt64()));
        Assert.Equal("first-review", Data(events[1]).GetProperty("badgeId").GetString());
        Assert.Equal((1, 0), (Data(events[2]).GetProperty("tier").GetInt32(), Data(events[2]).GetProperty("previousTier").GetInt32()));
        Assert.Equal((2, 1), (Data(events[4]).GetProperty("tier").GetInt32(), Data(events[4]).GetProperty("previousTier").GetInt32()));
        Assert.All(events, e => Assert.Equal(id, e.GetProperty("programId").GetString()));
        Assert.All(events, e => Assert.Equal(RewardsApiFactory.DefaultNow, e.GetProperty("occurredAt").GetDateTimeOffset()));
    }

    [Fact]
    [Emits("activity.awarded")]
    public async Task RefusedAwards_EmitNothing_CapReplayConflictAndErasedMember()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAsync(id, "alice", "share");
        await RecordAsync(id, "alice", "share");
        var before = await EventsAsync(id);

        var capped = await RecordAsync(id, "alice", "share"); // the daily cap: recorded as rejected, no points
        Assert.Equal("rejected", capped.GetProperty("status").GetString());
        var key = Guid.NewGuid().ToString();
        Assert.Equal(HttpStatusCode.Created, (await PostActivityAsync(id, new { memberId = "alice", type = "review" }, key)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PostActivityAsync(id, new { memberId = "alice", type = "review" }, key)).StatusCode); // replay
        Assert.Equal(HttpStatusCode.Conflict, (await PostActivityAsync(id, new { memberId = "alice", type = "review", targetId = "x" }, key)).StatusCode);

        var after = await EventsAsync(id);
        Assert.Equal(Types(before).Append("activity.awarded"), Types(after));
    }

    [Fact]
    [Emits("activity.pending", "activity.approved", "activity.rejected", "activity.reversed")]
    public async Task Moderation_EmitsPendingApprovedRejectedReversed_AndARefusedOneNothing()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50, "requiresApproval": true }, "share": { "points": 10 } }""");
        var key = Guid.NewGuid().ToString();
        var first = await PostActivityAsync(id, new { memberId = "alice", type = "review", targetId = "p-1" }, key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var toApprove = (await first.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("activityId").GetString()!;
        Assert.Equal(HttpStatusCode.Created, (await PostActivityAsync(id, new { memberId = "alice", type = "review", targetId = "p-1" }, key)).StatusCode); // a replay
        var toReject = (await RecordAsync(id, "alice", "review", "p-2")).GetProperty("activityId").GetString()!;
        var share = (await RecordAsync(id, "alice", "share")).GetProperty("activityId").GetString()!;

        await PostJsonAsync($"/v1/programs/{id}/activities/{toApprove}/approve", null, HttpStatusCode.OK);
        await PostJsonAsync($"/v1/programs/{id}/activities/{toReject}/reject", new { reason = "off topic" }, HttpStatusCode.OK);
        await PostJsonAsync($"/v1/programs/{id}/activities/{share}/reverse", new { reason = "fraud" }, HttpStatusCode.OK);
        var before = await EventsAsync(id);
        await AssertProblemAsync(await Client.PostAsync($"/v1/programs/{id}/activities/{toApprove}/approve", null), HttpStatusCode.Conflict);
        await AssertProblemAsync(await Client.PostAsJsonAsync($"/v1/programs/{id}/activities/{toReject}/reject", new { reason = "again" }), HttpStatusCode.Conflict);
        await AssertProblemAsync(await Client.PostAsJsonAsync($"/v1/programs/{id}/activities/{toApprove}/reject", new { reason = "late" }), HttpStatusCode.Conflict);
        await AssertProblemAsync(await Client.PostAsJsonAsync($"/v1/programs/{id}/activities/{share}/reverse", new { reason = "again" }), HttpStatusCode.Conflict);

        var events = await EventsAsync(id);
        Assert.Equal(before.Count, events.Count);
        Assert.Equal(["activity.pending", "activity.pending", "activity.awarded", "activity.approved", "activity.rejected", "activity.reversed"], Types(events));
        Assert.Equal(50, Data(events[0]).GetProperty("pendingPoints").GetInt64());
        Assert.Equal((toApprove, 50L, 60L), (Data(events[3]).GetProperty("activityId").GetString(), Data(events[3]).GetProperty("points").GetInt64(),
            Data(events[3]).GetProperty("balance").GetInt64()));
        Assert.Equal((toReject, "off topic"), (Data(events[4]).GetProperty("activityId").GetString(), Data(events[4]).GetProperty("reason").GetString()));
        Assert.False(Data(events[4]).TryGetProperty("points", out _));
        Assert.Equal((-10L, 50L, "fraud"), (Data(events[5]).GetProperty("points").GetInt64(), Data(events[5]).GetProperty("balance").GetInt64(),
            Data(events[5]).GetProperty("reason").GetString()));
    }

    [Fact]
    [Emits("member.badge_earned", "member.tier_changed")]
    public async Task Moderation_ApprovalEmitsBadgeAndTier_AndAReversalTheTierDrop_AsAnAwardDoes()
    {
        var id = await CreateProgramAsync(new
        {
            rules = new { review = new { points = 50, requiresApproval = true } },
            tiers = new[] { new { name = "Bronze", minLifetimePoints = 10 }, new { name = "Silver", minLifetimePoints = 50 } },
            badges = new[] { new { id = "first-review", name = "First review", when = new { activityType = "review", count = 1 } } },
        });
        var review = (await RecordAsync(id, "alice", "review", "p-1")).GetProperty("activityId").GetString()!;

        await PostJsonAsync($"/v1/programs/{id}/activities/{review}/approve", null, HttpStatusCode.OK);
        await PostJsonAsync($"/v1/programs/{id}/activities/{review}/reverse", new { reason = "fake" }, HttpStatusCode.OK);
        var before = await EventsAsync(id);
        await AssertProblemAsync(await Client.PostAsJsonAsync($"/v1/programs/{id}/activities/{review}/reverse", new { reason = "again" }), HttpStatusCode.Conflict);

        var events = await EventsAsync(id);
        Assert.Equal(Types(before), Types(events));
        Assert.Equal(["activity.pending", "activity.approved", "member.badge_earned", "member.tier_changed", "activity.reversed", "member.tier_changed"],
            Types(events));
        Assert.All(events.Skip(1), e => Assert.Equal(review, Data(e).GetProperty("activityId").GetString()));
        Assert.Equal("first-review", Data(events[2]).GetProperty("badgeId").GetString());
        Assert.Equal((2, 0), (Data(events[3]).GetProperty("tier").GetInt32(), Data(events[3]).GetProperty("previousTier").GetInt32()));
        Assert.Equal((0, 2), (Data(events[5]).GetProperty("tier").GetInt32(), Data(events[5]).GetProperty("previousTier").GetInt32()));
        Assert.False(Data(events[5]).TryGetProperty("adjustmentId", out _));
    }

    [Fact]
    [Emits("member.flagged")]
    public async Task Velocity_FlagsTheMemberOnce_WithOneFlaggedEvent()
    {
        var id = await CreateProgramAsync(new { rules = new { share = new { points = 10 } }, velocity = new { maxPerMinute = 2 } });
        for (var i = 0; i < 5; i++)
        {
            await RecordAsync(id, "bot", "share");
        }

        var events = await EventsAsync(id);
        Assert.Equal(["activity.awarded", "activity.awarded", "member.flagged", "activity.pending", "activity.pending", "activity.pending"], Types(events));
        Assert.Equal("velocity", Data(events[3]).GetProperty("reason").GetString());
    }

    [Fact]
    [Emits("member.suspended", "member.reinstated")]
    public async Task StatusChanges_EmitSuspendedReinstatedErased_AndARefusedOneNothing()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAsync(id, "alice", "review");
        await PostJsonAsync($"/v1/programs/{id}/members/alice/suspend", null, HttpStatusCode.OK);
        await AssertProblemAsync(await Client.PostAsync($"/v1/programs/{id}/members/alice/suspend", null), HttpStatusCode.Conflict);
        await PostJsonAsync($"/v1/programs/{id}/members/alice/reinstate", null, HttpStatusCode.OK);
        await AssertProblemAsync(await Client.PostAsync($"/v1/programs/{id}/members/alice/reinstate", null), HttpStatusCode.Conflict);

        Assert.Equal(["activity.awarded", "member.suspended", "member.reinstated"], Types(await EventsAsync(id)));
    }

    [Fact]
    [Emits("member.erased")]
    public async Task Erasure_EmitsErased_AndDeletesTheMembersEarlierEvents_AndThoseNamingThem()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAsync(id, "bob", "share");
        await RecordAsync(id, "alice", "review"); // passes bob: an overtaken event of bob's names alice
        await RecordAsync(id, "alice", "share");
        Assert.Contains(await EventsAsync(id), e => TypeOf(e) == "leaderboard.overtaken" && Data(e).GetProperty("byMemberId").GetString() == "alice");

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/members/alice")).StatusCode);
        await Factory.Services.GetRequiredService<EventStore>().ScrubErasedAsync(id);
        await AssertProblemAsync(await Client.DeleteAsync($"/v1/programs/{id}/members/alice"), HttpStatusCode.NotFound); // erased already
        await AssertProblemAsync(await Client.DeleteAsync($"/v1/programs/{id}/members/nobody"), HttpStatusCode.NotFound);
        var refused = await PostActivityAsync(id, new { memberId = "alice", type = "share" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);

        var events = await EventsAsync(id);
        Assert.Equal([("activity.awarded", "bob"), ("member.erased", "alice")], events.Select(e => (TypeOf(e), MemberOf(e))));
        Assert.Empty(await Factory.Redis.GetDatabase().HashKeysAsync($"rw:{{{id}}}:events:scrub"));
    }

    [Fact]
    [Emits("leaderboard.overtaken")]
    public async Task Award_PassingMembersInTheTop100_EmitsOneOvertakenEventForEach()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 }, "share": { "points": 10 }, "vote": { "points": 20 } }""");
        await RecordAsync(id, "alice", "share");   // alice 10
        await RecordAsync(id, "bob", "vote");      // bob 20: passes alice
        var carol = await RecordAsync(id, "carol", "review"); // carol 50: passes bob and alice
        await RecordAsync(id, "alice", "share");   // alice 20: ties bob, who got there first: nobody passed
        await RecordAsync(id, "alice", "share");   // alice 30: passes bob

        var overtaken = (await EventsAsync(id, "leaderboard.overtaken")).ToList();
        Assert.Equal([("alice", "bob", 2L, 10L), ("bob", "carol", 2L, 20L), ("alice", "carol", 3L, 10L), ("bob", "alice", 3L, 20L)], overtaken.Select(e => (MemberOf(e),
            Data(e).GetProperty("byMemberId").GetString(), Data(e).GetProperty("rank").GetInt64(), Data(e).GetProperty("points").GetInt64())));
        Assert.Equal(carol.GetProperty("activityId").GetString(), Data(overtaken[1]).GetProperty("activityId").GetString());
        Assert.All(overtaken, e => Assert.Equal("points", Data(e).GetProperty("board").GetString()));
        // The overtaken member's sequence counts it: bob's events are his award, then two overtaken.
        Assert.Equal([1L, 2, 3], (await EventsAsync(id)).Where(e => MemberOf(e) == "bob").Select(e => e.GetProperty("sequence").GetInt64()));
    }

    [Fact]
    [Emits("leaderboard.overtaken")]
    public async Task Overtaken_IsNotEmitted_WhenTheMoverStaysOutsideTheTop100()
    {
        var id = await CreateProgramAsync("""{ "share": { "points": 10 }, "review": { "points": 50 } }""");
        var db = Factory.Redis.GetDatabase();
        // 100 members ahead at 1,000 points (board entries as the scripts write them), then two members far behind.
        await db.SortedSetAddAsync($"rw:{{{id}}}:lb:points:all",
            [.. Enumerable.Range(0, 100).Select(i => new SortedSetEntry(ScoreEncoding.Entry(i + 1, $"top-{i}"), 1000))]);
        await RecordAsync(id, "low", "share");
        await RecordAsync(id, "climber", "review"); // passes 'low', but at rank 101

        Assert.Empty(await EventsAsync(id, "leaderboard.overtaken"));
    }

    [Fact]
    [Emits("leaderboard.overtaken")]
    public async Task Overtaken_InOneRun_SkipsMembersBelowThe99thScore_AndStillFindsAClimberIntoTheTop100()
    {
        var id = await CreateProgramAsync("""{ "share": { "points": 10 }, "review": { "points": 500 } }""");
        var db = Factory.Redis.GetDatabase();
        // 120 members at 10, 20, ... 1,200 points: the 99th score is 220.
        await db.SortedSetAddAsync($"rw:{{{id}}}:lb:points:all",
            [.. Enumerable.Range(1, 120).Select(i => new SortedSetEntry(ScoreEncoding.Entry(i, $"seeded-{i}"), i * 10))]);

        // One batch, one script run: a member far below the 99th score (nothing passed in the top 100), then a climber to 500
        // (rank 71: passes the 29 members at 490 down to 210, now ranked 72 to 100), then the low member again.
        await PostJsonAsync($"/v1/programs/{id}/activities:batch", new
        {
            activities = new[]
            {
                new { idempotencyKey = "b-1", memberId = "low", type = "share" },
                new { idempotencyKey = "b-2", memberId = "climber", type = "review" },
                new { idempotencyKey = "b-3", memberId = "low", type = "share" },
            },
        }, HttpStatusCode.OK);

        var overtaken = (await EventsAsync(id, "leaderboard.overtaken")).ToList();
        Assert.Equal(Enumerable.Range(21, 29).Reverse().Select(i => $"seeded-{i}"), overtaken.Select(MemberOf));
        Assert.All(overtaken, e => Assert.Equal("climber", Data(e).GetProperty("byMemberId").GetString()));
        Assert.Equal(Enumerable.Range(72, 29).Select(r => (long)r), overtaken.Select(e => Data(e).GetProperty("rank").GetInt64()));
    }

    [Fact]
    [Emits("perk.granted", "perk.claimed", "invitation.accepted", "invitation.waitlisted", "invitation.declined", "invitation.promoted")]
    public async Task Perks_EmitGrantedClaimedAndInvitationEvents_OnlyWhenSomethingChanges()
    {
        var id = await CreateProgramAsync(Rules);
        var jobs = Factory.Services.GetRequiredService<PerkGrantJob>();
        var offer = (await PostJsonAsync($"/v1/programs/{id}/perks", new { kind = "offer", title = "20% off", offer = new { codes = new[] { "A", "B" } },
            audience = new { type = "members", memberIds = new[] { "ana", "ben" } }, schedule = new { type = "at", at = RewardsApiFactory.FarFuture } },
            HttpStatusCode.Created)).GetProperty("perk").GetProperty("perkId").GetString()!;
        await RecordAsync(id, "ana", "share");
        await RecordAsync(id, "ben", "share");
        await jobs.GrantAsync(id, offer, "run-1");
        await jobs.GrantAsync(id, offer, "run-1"); // a re-run grants nobody again
        await PostJsonAsync($"/v1/programs/{id}/members/ana/perks/{offer}/claim", null, HttpStatusCode.OK);
        await PostJsonAsync($"/v1/programs/{id}/members/ana/perks/{offer}/claim", null, HttpStatusCode.OK); // the same code again

        var invitation = (await PostJsonAsync($"/v1/programs/{id}/perks", new { kind = "event", title = "Preview",
            @event = new { venue = "Paris store", startsAt = RewardsApiFactory.DefaultNow.AddDays(10), capacity = 1 },
            audience = new { type = "members", memberIds = new[] { "ana", "ben" } }, schedule = new { type = "at", at = RewardsApiFactory.FarFuture } },
            HttpStatusCode.Created)).GetProperty("perk").GetProperty("perkId").GetString()!;
        await jobs.GrantAsync(id, invitation, "run-2");
        async Task Rsvp(string member, string answer) =>
            await PostJsonAsync($"/v1/programs/{id}/members/{member}/perks/{invitation}/rsvp", new { answer }, HttpStatusCode.OK);
        await Rsvp("ana", "accept");
        await Rsvp("ana", "accept"); // no change
        await Rsvp("ben", "accept"); // full: waitlisted
        await Rsvp("ana", "decline"); // ben gets the seat
        await Rsvp("ana", "decline"); // no change

        var events = (await EventsAsync(id)).Where(e => TypeOf(e) != "activity.awarded" && TypeOf(e) != "leaderboard.overtaken").ToList();
        Assert.Equal([("perk.granted", "ana"), ("perk.granted", "ben"), ("perk.claimed", "ana"), ("perk.granted", "ana"), ("perk.granted", "ben"),
            ("invitation.accepted", "ana"), ("invitation.waitlisted", "ben"), ("invitation.declined", "ana"), ("invitation.promoted", "ben")],
            events.Select(e => (TypeOf(e), MemberOf(e))));
        Assert.Equal((offer, "run-1"), (Data(events[0]).GetProperty("perkId").GetString(), Data(events[0]).GetProperty("runId").GetString()));
        Assert.False(Data(events[2]).TryGetProperty("code", out _));
        Assert.All(events.Skip(5), e => Assert.Equal(invitation, Data(e).GetProperty("perkId").GetString()));
    }

    [Fact]
    [Emits("leaderboard.period_closed")]
    public async Task ClosedPeriod_EmitsPeriodClosed_OnceWithItsArchive()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAsync(id, "alice", "review");
        var job = Factory.Services.GetRequiredService<WindowCloseJob>();
        Factory.SetUtcNow(new DateTimeOffset(2026, 11, 18, 23, 5, 0, TimeSpan.Zero)); // 00:05 on 19 Nov in Paris

        Assert.True(await job.CloseAsync(id, WindowKind.Day) > 0);
        Assert.Equal(0, await job.CloseAsync(id, WindowKind.Day));

        var closed = await EventsAsync(id, "leaderboard.period_closed");
        var e = Assert.Single(closed, x => Data(x).GetProperty("board").GetString() == "points");
        Assert.Null(MemberOf(e));
        Assert.False(e.TryGetProperty("sequence", out _));
        Assert.Equal(("day", "2026-11-18", 1L), (Data(e).GetProperty("window").GetString(), Data(e).GetProperty("period").GetString(),
            Data(e).GetProperty("total").GetInt64()));
        await GetJsonAsync($"/v1/programs/{id}/leaderboards/points/archives/2026-11-18");
    }
}

/// <summary>Retention by time: the maintenance job drops the events older than Rewards:Events:Retention, and only those.</summary>
public sealed class EventRetentionTests(RewardsApiFactory factory) : EventTest(factory)
{
    [Fact]
    public async Task MaintenanceJob_TrimsEventsOlderThanTheRetention_AndKeepsTheRest()
    {
        var id = await CreateProgramAsync("""{ "share": { "points": 10 } }""");
        var db = Factory.Redis.GetDatabase();
        var key = $"rw:{{{id}}}:events";
        var old = DateTimeOffset.UtcNow.AddDays(-8).ToUnixTimeMilliseconds(); // past the 7 days of retention (stream ids: real time)
        await db.StreamAddAsync(key, [new("type", "activity.awarded"), new("member", "ghost"), new("seq", 1), new("at", old), new("data", "{}")],
            messageId: $"{old}-0");
        await RecordAsync(id, "alice", "share");

        await Factory.Services.GetRequiredService<EventMaintenanceJob>().MaintainAllAsync();

        Assert.Equal([("activity.awarded", "alice")], (await EventsAsync(id)).Select(e => (TypeOf(e), MemberOf(e))));
    }
}
