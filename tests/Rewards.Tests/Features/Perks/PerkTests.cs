using Rewards.Api.Infrastructure.Redis;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Hangfire.States;
using Hangfire.Storage.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Leaderboards;
using Rewards.Api.Features.Perks;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Perks;

public sealed class PerkTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private const string Rules = """{ "review": { "points": 50 }, "share": { "points": 10 } }""";

    private PerkGrantJob Job => Factory.Services.GetRequiredService<PerkGrantJob>();

    private async Task<string> CreatePerkAsync(string programId, object body)
    {
        var created = await PostJsonAsync($"/v1/programs/{programId}/perks", body, HttpStatusCode.Created);
        return created.GetProperty("perk").GetProperty("perkId").GetString()!;
    }

    private static object Members(params string[] ids) => new { type = "members", memberIds = ids };

    private static object Later => new { type = "at", at = RewardsApiFactory.FarFuture };

    private async Task<JsonElement[]> InboxAsync(string programId, string memberId) =>
        [.. (await GetJsonAsync($"/v1/programs/{programId}/members/{memberId}/perks")).GetProperty("perks").EnumerateArray()];

    /// <summary>Members created straight in Redis, as a bulk import would (only the fields grants read).</summary>
    private async Task SeedMembersAsync(string programId, int count)
    {
        var db = Factory.Redis.GetDatabase();
        var batch = new List<Task>();
        for (var i = 0; i < count; i++)
        {
            batch.Add(db.HashSetAsync(RedisKeys.Member(programId, $"s-{i}"),
                [new(MemberFields.Status, "active"), new(MemberFields.Balance, 0), new(MemberFields.Lifetime, 0), new(MemberFields.CreatedAt, 0)]));
            batch.Add(db.SortedSetAddAsync(RedisKeys.MemberIndex(programId), $"s-{i}", i));
        }
        await Task.WhenAll(batch);
    }

    [Fact]
    public async Task OfferScheduledNow_IsGrantedByHangfire_AndClaimRevealsTheSameCodeTwice()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAsync(id, "alice", "review");
        await RecordAsync(id, "bob", "share");
        var perkId = await CreatePerkAsync(id, new
        {
            kind = "offer", title = "20% off", description = "For our contributors",
            offer = new { codes = new[] { "SPRING-1", "SPRING-2" }, expiresAt = Factory.Clock.GetUtcNow().AddYears(1) },
            audience = new { type = "all" }, schedule = new { type = "now" },
        });

        JsonElement[] inbox = [];
        for (var i = 0; i < 300 && inbox.Length == 0; i++) // Hangfire picks the job up within a second or so; allow a slow machine
        {
            await Task.Delay(100);
            inbox = await InboxAsync(id, "alice");
        }

        var offer = Assert.Single(inbox);
        Assert.Equal(perkId, offer.GetProperty("perkId").GetString());
        Assert.Equal("new", offer.GetProperty("state").GetString());
        var first = await PostJsonAsync($"/v1/programs/{id}/members/alice/perks/{perkId}/claim", null, HttpStatusCode.OK);
        var again = await PostJsonAsync($"/v1/programs/{id}/members/alice/perks/{perkId}/claim", null, HttpStatusCode.OK);
        Assert.Equal(first.GetProperty("code").GetString(), again.GetProperty("code").GetString());
        Assert.StartsWith("SPRING-", first.GetProperty("code").GetString());
        Assert.Equal("claimed", (await InboxAsync(id, "alice"))[0].GetProperty("state").GetString());
        var figures = await GetJsonAsync($"/v1/programs/{id}/perks/{perkId}");
        Assert.Equal(2, figures.GetProperty("granted").GetInt64());
        Assert.Equal(1, figures.GetProperty("claimed").GetInt64());
        Assert.Equal(1, figures.GetProperty("codesLeft").GetInt64());
        Assert.Equal("done", figures.GetProperty("lastRun").GetProperty("status").GetString());
    }

    [Fact]
    public async Task SameRunTwice_GrantsEachMemberOnce()
    {
        var id = await CreateProgramAsync(Rules);
        foreach (var m in new[] { "a", "b", "c" })
        {
            await RecordAsync(id, m, "share");
        }
        var perkId = await CreatePerkAsync(id, new { kind = "news", title = "Preview", news = new { body = new { @default = "Soon" },
            earlyAt = Factory.Clock.GetUtcNow(), publicAt = Factory.Clock.GetUtcNow().AddDays(1) }, audience = new { type = "all" }, schedule = Later });

        var first = await Job.GrantAsync(id, perkId, "run-1");
        var second = await Job.GrantAsync(id, perkId, "run-1");

        Assert.Equal(3, first!.Granted);
        Assert.Equal(3, second!.Granted);
        Assert.Equal(3, (await GetJsonAsync($"/v1/programs/{id}/perks/{perkId}")).GetProperty("granted").GetInt64());
        foreach (var m in new[] { "a", "b", "c" })
        {
            Assert.Single(await InboxAsync(id, m));
        }
    }

    [Fact]
    public async Task RunStoppedMidway_FinishesTheRest_WithoutDoubleGrants()
    {
        var id = await CreateProgramAsync(Rules);
        await SeedMembersAsync(id, 2500);
        var perkId = await CreatePerkAsync(id, new { kind = "news", title = "Preview", news = new { body = new { @default = "Soon" },
            earlyAt = Factory.Clock.GetUtcNow(), publicAt = Factory.Clock.GetUtcNow().AddDays(1) }, audience = new { type = "all" }, schedule = Later });

        var partial = await Job.GrantAsync(id, perkId, "run-1", maxChunks: 1); // as if the process died after one chunk
        var resumed = await Job.GrantAsync(id, perkId, "run-1");
        await Job.GrantAsync(id, perkId, "run-1"); // and a duplicate execution afterwards

        Assert.Equal((PerkRunStatus.Granting, 1000L), (partial!.Status, partial.Granted));
        Assert.Equal((PerkRunStatus.Done, 2500L, 2500L), (resumed!.Status, resumed.Total, resumed.Granted));
        var db = Factory.Redis.GetDatabase();
        var grants = await Task.WhenAll(Enumerable.Range(0, 2500).Select(i => db.HashGetAsync(RedisKeys.MemberGrants(id, $"s-{i}"), perkId)));
        Assert.All(grants, g => Assert.StartsWith("run-1|", g.ToString()));
        Assert.Equal(2500, (await GetJsonAsync($"/v1/programs/{id}/perks/{perkId}")).GetProperty("granted").GetInt64());
    }

    /// <summary>
    /// What happens after a crash: the server performing the grant job died after one chunk; Hangfire puts the job back in
    /// its queue (here through Requeue, as its fetched-jobs watcher does once the server is gone) and performs it again
    /// under the same job id, which is the run id, so the run resumes from its cursor.
    /// </summary>
    [Fact]
    public async Task GrantJobPerformedAgainAfterACrash_ResumesItsRun_AndGrantsNobodyTwice()
    {
        var id = await CreateProgramAsync(Rules);
        await SeedMembersAsync(id, 2500);
        var perkId = await CreatePerkAsync(id, new { kind = "news", title = "Preview", news = new { body = new { @default = "Soon" },
            earlyAt = Factory.Clock.GetUtcNow(), publicAt = Factory.Clock.GetUtcNow().AddDays(1) }, audience = new { type = "all" }, schedule = Later });
        var jobs = Factory.Services.GetRequiredService<IBackgroundJobClient>();
        var jobId = jobs.Create<PerkGrantJob>(j => j.RunAsync(id, perkId, null, CancellationToken.None), new ScheduledState(TimeSpan.FromDays(1)));
        await Job.GrantAsync(id, perkId, jobId, maxChunks: 1); // the crashed execution: one chunk of 1000

        Assert.True(jobs.Requeue(jobId));
        var history = await Factory.WaitUntilFinishedAsync(jobId);

        Assert.Equal(SucceededState.StateName, history[0].StateName);
        var db = Factory.Redis.GetDatabase();
        var grants = await Task.WhenAll(Enumerable.Range(0, 2500).Select(i => db.HashGetAsync(RedisKeys.MemberGrants(id, $"s-{i}"), perkId)));
        Assert.All(grants, g => Assert.StartsWith(jobId + "|", g.ToString()));
        var perk = await GetJsonAsync($"/v1/programs/{id}/perks/{perkId}");
        Assert.Equal(2500, perk.GetProperty("granted").GetInt64());
        Assert.Equal((jobId, "done", 2500L), (perk.GetProperty("lastRun").GetProperty("runId").GetString(),
            perk.GetProperty("lastRun").GetProperty("status").GetString(), perk.GetProperty("lastRun").GetProperty("granted").GetInt64()));
    }

    [Fact]
    public async Task Audiences_ExcludeSuspendedMembers_AndSelectByPointsOrTopN()
    {
        var id = await CreateProgramAsync(Rules);
        Factory.SetUtcNow(new DateTimeOffset(2026, 11, 18, 10, 0, 0, TimeSpan.Zero));
        await RecordAsync(id, "rich", "review");
        await RecordAsync(id, "rich", "review");
        await RecordAsync(id, "mid", "review");
        await RecordAsync(id, "poor", "share");
        await RecordAsync(id, "banned", "review");
        await PostJsonAsync($"/v1/programs/{id}/members/banned/suspend", null, HttpStatusCode.OK);
        async Task<string[]> GrantedTo(object audience)
        {
            var perkId = await CreatePerkAsync(id, new { kind = "news", title = "x", news = new { body = new { @default = "y" },
                earlyAt = Factory.Clock.GetUtcNow(), publicAt = Factory.Clock.GetUtcNow().AddDays(1) }, audience, schedule = Later });
            await Job.GrantAsync(id, perkId, "r");
            var result = new List<string>();
            foreach (var m in new[] { "rich", "mid", "poor", "banned" })
            {
                if ((await InboxAsync(id, m)).Any(p => p.GetProperty("perkId").GetString() == perkId))
                {
                    result.Add(m);
                }
            }
            return [.. result];
        }

        Assert.Equal(["rich", "mid", "poor"], await GrantedTo(new { type = "all" }));
        Assert.Equal(["rich", "mid"], await GrantedTo(new { type = "minLifetimePoints", points = 50 }));
        Assert.Equal(["rich", "poor"], await GrantedTo(Members("rich", "poor", "banned", "ghost")));
        Assert.Equal(["rich", "mid"], await GrantedTo(new { type = "top", board = "points", window = "week", period = "current", count = 2 }));

        // Last week's top from its archive: this week's newcomer is not in it.
        Factory.SetUtcNow(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero)); // Monday 09:00 in Paris
        await Factory.Services.GetRequiredService<WindowCloseJob>().CloseAsync(id, WindowKind.Week);
        await RecordAsync(id, "newcomer", "review");
        await RecordAsync(id, "newcomer", "review");
        await RecordAsync(id, "newcomer", "review");
        Assert.Equal(["rich"], await GrantedTo(new { type = "top", board = "review", window = "week", period = "last", count = 1 }));
    }

    [Fact]
    public async Task TopOfLastPeriod_FromTheArchive_SkipsAnErasedMember_WithoutPassingTheirPlaceOn()
    {
        var id = await CreateProgramAsync(Rules);
        Factory.SetUtcNow(new DateTimeOffset(2026, 11, 18, 10, 0, 0, TimeSpan.Zero));
        await RecordAsync(id, "first", "review");
        await RecordAsync(id, "first", "review");
        await RecordAsync(id, "erased", "review");
        await RecordAsync(id, "third", "share");
        Factory.Clock.Advance(TimeSpan.FromSeconds(1)); // reaches 10 points after third
        await RecordAsync(id, "fourth", "share");
        Factory.SetUtcNow(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero)); // Monday 09:00 in Paris
        await Factory.Services.GetRequiredService<WindowCloseJob>().CloseAsync(id, WindowKind.Week);
        await Client.DeleteAsync($"/v1/programs/{id}/members/erased");

        var perkId = await CreatePerkAsync(id, new { kind = "news", title = "x", news = new { body = new { @default = "y" },
            earlyAt = Factory.Clock.GetUtcNow(), publicAt = Factory.Clock.GetUtcNow().AddDays(1) },
            audience = new { type = "top", board = "points", window = "week", period = "last", count = 3 }, schedule = Later });
        var run = await Job.GrantAsync(id, perkId, "r");

        Assert.Equal(2, run!.Granted);
        Assert.Single(await InboxAsync(id, "first"));
        Assert.Single(await InboxAsync(id, "third"));
        Assert.Empty(await InboxAsync(id, "fourth"));
    }

    [Fact]
    public async Task ConcurrentClaimsOfTheLastCodes_NeverShareACode()
    {
        var id = await CreateProgramAsync(Rules);
        var members = Enumerable.Range(0, 10).Select(i => $"c{i}").ToArray();
        foreach (var m in members)
        {
            await RecordAsync(id, m, "share");
        }
        var perkId = await CreatePerkAsync(id, new { kind = "offer", title = "Last ones", offer = new { codes = new[] { "A1", "A2", "A3" } },
            audience = Members(members), schedule = Later });
        await Job.GrantAsync(id, perkId, "r");

        var answers = await Task.WhenAll(members.Select(m => Client.PostAsync($"/v1/programs/{id}/members/{m}/perks/{perkId}/claim", null)));

        var codes = await Task.WhenAll(answers.Where(a => a.StatusCode == HttpStatusCode.OK)
            .Select(async a => JsonDocument.Parse(await a.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString()));
        Assert.Equal(["A1", "A2", "A3"], codes.Order());
        Assert.Equal(7, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        await AssertProblemAsync(answers.First(a => a.StatusCode == HttpStatusCode.Conflict), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task ExpiredOffer_IsGone_AndNotGrantedMembersCannotClaim()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAsync(id, "alice", "share");
        await RecordAsync(id, "bob", "share");
        var perkId = await CreatePerkAsync(id, new { kind = "offer", title = "Gone soon",
            offer = new { generateCodes = 5, expiresAt = RewardsApiFactory.DefaultNow.AddHours(1) }, audience = Members("alice"), schedule = Later });
        await Job.GrantAsync(id, perkId, "r");

        var notGranted = await Client.PostAsync($"/v1/programs/{id}/members/bob/perks/{perkId}/claim", null);
        await AssertProblemAsync(notGranted, HttpStatusCode.NotFound);
        // Issue 13: the perk exists; the answer says it was not granted to bob rather than "no such perk".
        var detail = JsonDocument.Parse(await notGranted.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();
        Assert.Equal($"The perk '{perkId}' was not granted to member 'bob': only members its audience selected, once a run of its " +
            "schedule granted it, can claim or answer it (see the member's perks).", detail);
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddHours(2));
        Assert.Equal("expired", (await InboxAsync(id, "alice"))[0].GetProperty("state").GetString());
        await AssertProblemAsync(await Client.PostAsync($"/v1/programs/{id}/members/alice/perks/{perkId}/claim", null), HttpStatusCode.Gone);
    }

    [Fact]
    public async Task MemberToken_ClaimsItsOwnOffer_AndFindsNoOtherMembersPerks()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAsync(id, "alice", "share");
        await RecordAsync(id, "bob", "share");
        var perkId = await CreatePerkAsync(id, new { kind = "offer", title = "For both", offer = new { codes = new[] { "B1", "B2" } },
            audience = Members("alice", "bob"), schedule = Later });
        await Job.GrantAsync(id, perkId, "r");
        var (clientId, secret) = await CreateApiClientAsync(id, Scopes.Activities);
        using var alice = Factory.CreateClient(await Factory.TokenAsync(clientId, secret, grantType: MemberGrant.Type, memberId: "alice"));

        var own = await alice.PostAsync($"/v1/programs/{id}/members/alice/perks/{perkId}/claim", null);
        var others = await alice.PostAsync($"/v1/programs/{id}/members/bob/perks/{perkId}/claim", null);
        var othersInbox = await alice.GetAsync($"/v1/programs/{id}/members/bob/perks");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.StartsWith("B", (await own.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        await AssertProblemAsync(others, HttpStatusCode.NotFound);
        await AssertProblemAsync(othersInbox, HttpStatusCode.NotFound);
        Assert.Equal("claimed", (await InboxAsync(id, "alice"))[0].GetProperty("state").GetString());
        Assert.Equal("new", (await InboxAsync(id, "bob"))[0].GetProperty("state").GetString());
    }

    [Fact]
    public async Task ConcurrentRsvpsAtCapacity_WaitlistInOrder_AndADeclinePromotesTheFirst()
    {
        var id = await CreateProgramAsync(Rules);
        var members = Enumerable.Range(0, 10).Select(i => $"g{i}").ToArray();
        foreach (var m in members)
        {
            await RecordAsync(id, m, "share");
        }
        var perkId = await CreatePerkAsync(id, new { kind = "event", title = "Private preview",
            @event = new { venue = "Paris store", startsAt = RewardsApiFactory.DefaultNow.AddDays(10), capacity = 3 }, audience = Members(members), schedule = Later });
        await Job.GrantAsync(id, perkId, "r");

        var answers = await Task.WhenAll(members.Select(async m =>
            (Member: m, State: (await PostJsonAsync($"/v1/programs/{id}/members/{m}/perks/{perkId}/rsvp", new { answer = "accept" }, HttpStatusCode.OK))
                .GetProperty("state").GetString())));

        var accepted = answers.Where(a => a.State == "accepted").Select(a => a.Member).ToArray();
        Assert.Equal(3, accepted.Length);
        Assert.Equal(7, answers.Count(a => a.State == "waitlisted"));
        var waitlist = await Factory.Redis.GetDatabase().SortedSetRangeByRankAsync(RedisKeys.PerkWaitlist(id, perkId));
        var firstWaiting = waitlist[0].ToString();

        var declined = await PostJsonAsync($"/v1/programs/{id}/members/{accepted[0]}/perks/{perkId}/rsvp", new { answer = "decline" }, HttpStatusCode.OK);

        Assert.Equal("declined", declined.GetProperty("state").GetString());
        Assert.Equal("accepted", (await InboxAsync(id, firstWaiting))[0].GetProperty("state").GetString());
        var figures = await GetJsonAsync($"/v1/programs/{id}/perks/{perkId}");
        Assert.Equal((3, 6), (figures.GetProperty("accepted").GetInt64(), figures.GetProperty("waitlisted").GetInt64()));
    }

    [Fact]
    public async Task StatsAccepted_IsSeatsTakenNet_AndAgreesWithThePerk_AfterAcceptsDeclinesAndAPromotion()
    {
        var id = await CreateProgramAsync(Rules);
        foreach (var m in new[] { "ana", "ben", "cy" })
        {
            await RecordAsync(id, m, "share");
        }
        var perkId = await CreatePerkAsync(id, new { kind = "event", title = "Preview",
            @event = new { venue = "Paris store", startsAt = RewardsApiFactory.DefaultNow.AddDays(10), capacity = 1 }, audience = Members("ana", "ben", "cy"), schedule = Later });
        await Job.GrantAsync(id, perkId, "r");
        async Task Rsvp(string member, string answer) =>
            await PostJsonAsync($"/v1/programs/{id}/members/{member}/perks/{perkId}/rsvp", new { answer }, HttpStatusCode.OK);
        async Task AssertStatsAgreeWithThePerk(long expected)
        {
            var perk = await GetJsonAsync($"/v1/programs/{id}/perks/{perkId}");
            var stats = await GetJsonAsync($"/v1/programs/{id}/stats?from=2026-11-18&to=2026-11-18");
            Assert.Equal(expected, perk.GetProperty("accepted").GetInt64());
            Assert.Equal(expected, stats.GetProperty("totals").GetProperty("perks").GetProperty("accepted").GetInt64());
        }

        await Rsvp("ana", "accept");
        await Rsvp("ana", "decline"); // the case: one accept, then a decline
        await AssertStatsAgreeWithThePerk(0);
        await Rsvp("ana", "accept");
        await Rsvp("ben", "accept"); // waitlisted
        await Rsvp("ana", "decline"); // ben is promoted: still one seat taken
        await AssertStatsAgreeWithThePerk(1);
        await Rsvp("cy", "decline"); // never held a seat
        await Rsvp("ana", "accept"); // the seat is ben's: ana is waitlisted
        await AssertStatsAgreeWithThePerk(1);
    }

    [Fact]
    public async Task GrantRun_TotalCountsTheAudienceAfterItsCondition_CheckedCountsTheMembersExamined()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAsync(id, "alice", "review");
        await RecordAsync(id, "alice", "share"); // 60 lifetime points
        await RecordAsync(id, "bob", "share");
        await RecordAsync(id, "carl", "share");
        var perkId = await CreatePerkAsync(id, new { kind = "news", title = "x", news = new { body = new { @default = "y" },
            earlyAt = Factory.Clock.GetUtcNow(), publicAt = Factory.Clock.GetUtcNow().AddDays(1) },
            audience = new { type = "minLifetimePoints", points = 60 }, schedule = Later });

        await Job.GrantAsync(id, perkId, "r");

        var run = (await GetJsonAsync($"/v1/programs/{id}/perks/{perkId}")).GetProperty("lastRun");
        Assert.Equal("done", run.GetProperty("status").GetString());
        Assert.Equal(1, run.GetProperty("total").GetInt64());
        Assert.Equal(1, run.GetProperty("granted").GetInt64());
        Assert.Equal(3, run.GetProperty("checked").GetInt64());

        // The same run performed again (a retry) finds the same audience and grants nobody twice.
        await Job.GrantAsync(id, perkId, "r");
        run = (await GetJsonAsync($"/v1/programs/{id}/perks/{perkId}")).GetProperty("lastRun");
        Assert.Equal((1L, 1L), (run.GetProperty("total").GetInt64(), run.GetProperty("granted").GetInt64()));
    }

    [Fact]
    public async Task News_IsEarlyForItsAudience_ThenPublic()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAsync(id, "insider", "share");
        await RecordAsync(id, "outsider", "share");
        await Client.PutAsJsonAsync($"/v1/programs/{id}/members/insider", new { locale = "fr-FR" });
        var now = RewardsApiFactory.DefaultNow;
        var perkId = await CreatePerkAsync(id, new { kind = "news", title = "New collection",
            news = new { body = new Dictionary<string, string> { ["default"] = "Out next week", ["fr"] = "Sortie la semaine prochaine" },
                earlyAt = now.AddHours(-1), publicAt = now.AddHours(1) }, audience = Members("insider"), schedule = Later });
        await Job.GrantAsync(id, perkId, "r");

        var insider = (await GetJsonAsync($"/v1/programs/{id}/members/insider/news")).GetProperty("news");
        Assert.Equal("Sortie la semaine prochaine", Assert.Single(insider.EnumerateArray()).GetProperty("body").GetString());
        Assert.True(insider[0].GetProperty("earlyAccess").GetBoolean());
        Assert.Empty((await GetJsonAsync($"/v1/programs/{id}/members/outsider/news")).GetProperty("news").EnumerateArray());
        Assert.Empty((await GetJsonAsync($"/v1/programs/{id}/news")).GetProperty("news").EnumerateArray());

        Factory.SetUtcNow(now.AddHours(2));
        Assert.Single((await GetJsonAsync($"/v1/programs/{id}/members/outsider/news")).GetProperty("news").EnumerateArray());
        Assert.Equal("Out next week", (await GetJsonAsync($"/v1/programs/{id}/news")).GetProperty("news")[0].GetProperty("body").GetString());
    }

    [Fact]
    public async Task PublicNews_RefusesAMalformedLocale_AndFallsBackForAnUnknownOne()
    {
        var id = await CreateProgramAsync(Rules);
        var now = RewardsApiFactory.DefaultNow;
        await CreatePerkAsync(id, new { kind = "news", title = "Out", news = new { body = new Dictionary<string, string> { ["default"] = "Out now", ["fr"] = "Disponible" },
            earlyAt = now.AddHours(-2), publicAt = now.AddHours(-1) }, audience = new { type = "all" }, schedule = Later });

        Assert.Equal("Disponible", (await GetJsonAsync($"/v1/programs/{id}/news?locale=fr-CA")).GetProperty("news")[0].GetProperty("body").GetString());
        Assert.Equal("Out now", (await GetJsonAsync($"/v1/programs/{id}/news?locale=de-CH")).GetProperty("news")[0].GetProperty("body").GetString());
        foreach (var locale in new[] { "..%2F..%2Fetc", "fr-FR%0A", "fr_FR", "%F0%9F%99%82", "" })
        {
            await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/news?locale={locale}"), HttpStatusCode.BadRequest);
        }
    }

    [Fact]
    public async Task CronPerk_IsARecurringJob_PausedAndResumed()
    {
        var id = await CreateProgramAsync(Rules);
        var perkId = await CreatePerkAsync(id, new { kind = "offer", title = "Weekly top 10", offer = new { generateCodes = 20 },
            audience = new { type = "top", board = "points", window = "week", period = "last", count = 10 },
            schedule = new { type = "cron", cron = "0 9 * * MON", timeZone = "Europe/Paris" } });
        bool Registered()
        {
            using var connection = Factory.Services.GetRequiredService<JobStorage>().GetConnection();
            return connection.GetAllEntriesFromHash($"recurring-job:{PerkScheduler.RecurringId(id, perkId)}") is { Count: > 0 };
        }

        var perk = await GetJsonAsync($"/v1/programs/{id}/perks/{perkId}");
        Assert.True(Registered());
        // Wednesday 18 Nov 2026 10:00 UTC: the next Monday 09:00 in Paris is 23 Nov 08:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero), perk.GetProperty("nextRunAt").GetDateTimeOffset());

        var paused = await Client.PatchAsJsonAsync($"/v1/programs/{id}/perks/{perkId}", new { status = "paused" });
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.False(Registered());
        Assert.False((await GetJsonAsync($"/v1/programs/{id}/perks/{perkId}")).TryGetProperty("nextRunAt", out _));
        Assert.Null(await Job.GrantAsync(id, perkId, "while-paused"));

        await Client.PatchAsJsonAsync($"/v1/programs/{id}/perks/{perkId}", new { status = "active" });
        Assert.True(Registered());
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/perks/{perkId}")).StatusCode);
        Assert.False(Registered());
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/perks/{perkId}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PerkScheduledAt_IsAHangfireJobDueThen()
    {
        var id = await CreateProgramAsync(Rules);
        var at = RewardsApiFactory.FarFuture.AddDays(3);
        var perkId = await CreatePerkAsync(id, new { kind = "news", title = "Friday drop", news = new { body = new { @default = "Soon" },
            earlyAt = at, publicAt = at.AddDays(1) }, audience = new { type = "all" }, schedule = new { type = "at", at } });

        var scheduled = Factory.Services.GetRequiredService<JobStorage>().GetMonitoringApi().ScheduledJobs(0, 10_000)
            .Where(j => j.Value.Job?.Type == typeof(PerkGrantJob) && j.Value.Job.Args.Contains(perkId)).ToList();

        var job = Assert.Single(scheduled).Value;
        Assert.Equal(id, job.Job.Args[0]);
        Assert.InRange(job.EnqueueAt, at.UtcDateTime.AddSeconds(-1), at.UtcDateTime.AddSeconds(1));
        var perk = await GetJsonAsync($"/v1/programs/{id}/perks/{perkId}");
        Assert.Equal(at.ToUnixTimeSeconds(), perk.GetProperty("nextRunAt").GetDateTimeOffset().ToUnixTimeSeconds());
    }

    [Fact]
    public async Task CodesCanBeAddedLater_AndDeletedPerksLeaveTheInbox()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAsync(id, "alice", "share");
        var perkId = await CreatePerkAsync(id, new { kind = "offer", title = "Refill", offer = new { }, audience = Members("alice"), schedule = Later });
        await Job.GrantAsync(id, perkId, "r");
        await AssertProblemAsync(await Client.PostAsync($"/v1/programs/{id}/members/alice/perks/{perkId}/claim", null), HttpStatusCode.Conflict);

        await PostJsonAsync($"/v1/programs/{id}/perks/{perkId}/codes", new { codes = new[] { "LATE-1" } }, HttpStatusCode.OK);
        Assert.Equal("LATE-1", (await PostJsonAsync($"/v1/programs/{id}/members/alice/perks/{perkId}/claim", null, HttpStatusCode.OK)).GetProperty("code").GetString());

        await Client.DeleteAsync($"/v1/programs/{id}/perks/{perkId}");
        Assert.Empty(await InboxAsync(id, "alice"));
    }

    [Theory]
    [InlineData("""{ "kind": "coupon", "title": "x", "audience": { "type": "all" }, "schedule": { "type": "now" } }""")]
    [InlineData("""{ "kind": "offer", "title": "", "offer": {}, "audience": { "type": "all" }, "schedule": { "type": "now" } }""")]
    [InlineData("""{ "kind": "offer", "title": "x", "offer": { "codes": ["has space"] }, "audience": { "type": "all" }, "schedule": { "type": "now" } }""")]
    [InlineData("""{ "kind": "offer", "title": "x", "offer": { "codes": ["A", "A"] }, "audience": { "type": "all" }, "schedule": { "type": "now" } }""")]
    [InlineData("""{ "kind": "event", "title": "x", "event": { "venue": "v", "startsAt": "2026-12-01T10:00:00Z", "capacity": 0 }, "audience": { "type": "all" }, "schedule": { "type": "now" } }""")]
    [InlineData("""{ "kind": "news", "title": "x", "news": { "body": { "fr": "no default" }, "earlyAt": "2026-12-01T10:00:00Z", "publicAt": "2026-12-02T10:00:00Z" }, "audience": { "type": "all" }, "schedule": { "type": "now" } }""")]
    [InlineData("""{ "kind": "news", "title": "x", "news": { "body": { "default": "d" }, "earlyAt": "2026-12-03T10:00:00Z", "publicAt": "2026-12-02T10:00:00Z" }, "audience": { "type": "all" }, "schedule": { "type": "now" } }""")]
    [InlineData("""{ "kind": "offer", "title": "x", "offer": {}, "audience": { "type": "top", "board": "dance", "window": "week", "period": "last", "count": 10 }, "schedule": { "type": "now" } }""")]
    [InlineData("""{ "kind": "offer", "title": "x", "offer": {}, "audience": { "type": "top", "board": "points", "window": "all", "period": "last", "count": 10 }, "schedule": { "type": "now" } }""")]
    [InlineData("""{ "kind": "offer", "title": "x", "offer": {}, "audience": { "type": "members", "memberIds": ["bad id"] }, "schedule": { "type": "now" } }""")]
    [InlineData("""{ "kind": "offer", "title": "x", "offer": {}, "audience": { "type": "all" }, "schedule": { "type": "cron", "cron": "every monday", "timeZone": "Europe/Paris" } }""")]
    [InlineData("""{ "kind": "offer", "title": "x", "offer": {}, "audience": { "type": "all" }, "schedule": { "type": "cron", "cron": "0 9 * * MON", "timeZone": "Paris" } }""")]
    [InlineData("""{ "kind": "news", "title": "x", "news": { "body": { "default": "   " }, "earlyAt": "2026-12-01T10:00:00Z", "publicAt": "2026-12-02T10:00:00Z" }, "audience": { "type": "all" }, "schedule": { "type": "now" } }""")]
    [InlineData("""{ "kind": "news", "title": "x", "news": { "body": { "default": "d", "fr": "\n\n" }, "earlyAt": "2026-12-01T10:00:00Z", "publicAt": "2026-12-02T10:00:00Z" }, "audience": { "type": "all" }, "schedule": { "type": "now" } }""")]
    [InlineData("""{ "kind": "offer", "title": "x", "offer": { "generateCodes": 5, "expiresAt": "2000-01-01T00:00:00Z" }, "audience": { "type": "all" }, "schedule": { "type": "now" } }""")]
    [InlineData("""{ "kind": "offer", "title": "x", "offer": { "generateCodes": 5, "expiresAt": "2026-11-18T10:00:00Z" }, "audience": { "type": "all" }, "schedule": { "type": "now" } }""")]
    [InlineData("""{ "kind": "event", "title": "x", "event": { "venue": "v", "startsAt": "2026-11-18T09:00:00Z", "capacity": 10 }, "audience": { "type": "all" }, "schedule": { "type": "now" } }""")]
    public async Task InvalidPerks_AreRefused(string json)
    {
        var id = await CreateProgramAsync(Rules);
        var response = await Client.PostAsync($"/v1/programs/{id}/perks", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Empty((await GetJsonAsync($"/v1/programs/{id}/perks")).GetProperty("perks").EnumerateArray());
    }
}
