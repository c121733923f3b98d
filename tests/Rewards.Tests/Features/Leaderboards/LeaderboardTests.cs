using Rewards.Api.Infrastructure.Redis;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Leaderboards;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Leaderboards;

public sealed class LeaderboardTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private const string Rules = """{ "review": { "points": 50 }, "share": { "points": 10 }, "vote": { "points": 2 } }""";

    private static DateTimeOffset Utc(string value) => DateTimeOffset.Parse(value);

    private async Task<JsonElement> BoardAsync(string programId, string query = "", string board = "points") =>
        await GetJsonAsync($"/v1/programs/{programId}/leaderboards/{board}{query}");

    private static string[] Members(JsonElement page) =>
        page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("memberId").GetString()!).ToArray();

    /// <summary>Records at the given instant (the clock moves there), so that reach times are controlled.</summary>
    private async Task<JsonElement> RecordAtAsync(string programId, string memberId, string type, DateTimeOffset at, string? target = null)
    {
        Factory.SetUtcNow(at);
        return await RecordAsync(programId, memberId, type, target);
    }

    [Fact]
    public async Task Ranks_FollowPoints_AndEqualScoresGoToWhoReachedThemFirst()
    {
        var id = await CreateProgramAsync(Rules);
        var t = Utc("2026-11-18T10:00:00Z");
        await RecordAtAsync(id, "alice", "share", t);
        await RecordAtAsync(id, "bob", "share", t.AddSeconds(1));
        await RecordAtAsync(id, "carol", "review", t.AddSeconds(2));

        foreach (var window in new[] { "all", "day", "week", "month" })
        {
            var page = await BoardAsync(id, $"?window={window}");
            Assert.Equal(["carol", "alice", "bob"], Members(page));
            Assert.Equal([1, 2, 3], page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("rank").GetInt32()));
            Assert.Equal([50, 10, 10], page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("score").GetInt64()));
        }

        // The same tie reached in the other order: bob gets to 20 first.
        await RecordAtAsync(id, "bob", "share", t.AddSeconds(10));
        await RecordAtAsync(id, "alice", "share", t.AddSeconds(11));
        foreach (var window in new[] { "all", "week" })
        {
            Assert.Equal(["carol", "bob", "alice"], Members(await BoardAsync(id, $"?window={window}")));
        }
    }

    [Fact]
    public async Task TypeBoards_CountOnlyTheirType()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAtAsync(id, "alice", "review", Utc("2026-11-18T10:00:00Z"));
        await RecordAtAsync(id, "bob", "share", Utc("2026-11-18T10:00:01Z"));
        await RecordAtAsync(id, "bob", "review", Utc("2026-11-18T10:00:02Z"));

        var reviews = await BoardAsync(id, "?window=week", board: "review");

        Assert.Equal(["alice", "bob"], Members(reviews));
        Assert.Equal([50, 50], reviews.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("score").GetInt64()));
        Assert.Equal(["bob", "alice"], Members(await BoardAsync(id, "?window=week")));
    }

    [Fact]
    public async Task DayWindow_ResetsAtLocalMidnight()
    {
        // Europe/Paris is UTC+1 in November: 19 Nov starts at 18 Nov 23:00 UTC.
        var id = await CreateProgramAsync(Rules);
        await RecordAtAsync(id, "late", "share", Utc("2026-11-18T22:59:59Z"));
        await RecordAtAsync(id, "early", "share", Utc("2026-11-18T23:00:00Z"));

        var today = await BoardAsync(id, "?window=day");
        var yesterday = await BoardAsync(id, "?window=day&period=2026-11-18");

        Assert.Equal(["early"], Members(today));
        Assert.Equal("2026-11-19", today.GetProperty("period").GetString());
        Assert.Equal(Utc("2026-11-18T23:00:00Z"), today.GetProperty("windowStart").GetDateTimeOffset());
        Assert.Equal(Utc("2026-11-19T23:00:00Z"), today.GetProperty("nextResetAt").GetDateTimeOffset());
        Assert.Equal(["late"], Members(yesterday));
    }

    [Fact]
    public async Task DayWindow_AcrossDstChange_LastsTwentyThreeHours()
    {
        // 29 March 2026: Paris moves from UTC+1 to UTC+2; the local day runs 28 Mar 23:00 UTC to 29 Mar 22:00 UTC.
        var id = await CreateProgramAsync(Rules);
        await RecordAtAsync(id, "before", "share", Utc("2026-03-29T21:59:59Z"));
        await RecordAtAsync(id, "after", "share", Utc("2026-03-29T22:00:00Z"));

        var dst = await BoardAsync(id, "?window=day&period=2026-03-29");

        Assert.Equal(["before"], Members(dst));
        Assert.Equal(Utc("2026-03-28T23:00:00Z"), dst.GetProperty("windowStart").GetDateTimeOffset());
        Assert.Equal(Utc("2026-03-29T22:00:00Z"), dst.GetProperty("nextResetAt").GetDateTimeOffset());
        Assert.Equal(["after"], Members(await BoardAsync(id, "?window=day")));
    }

    [Fact]
    public async Task DayWindow_AcrossAutumnDstChange_LastsTwentyFiveHours()
    {
        // 25 October 2026: Paris moves from UTC+2 to UTC+1 (03:00 becomes 02:00); the local day runs 24 Oct 22:00 UTC to 25 Oct 23:00 UTC.
        var id = await CreateProgramAsync(Rules);
        await RecordAtAsync(id, "eve", "share", Utc("2026-10-24T21:59:59Z"));
        await RecordAtAsync(id, "first", "share", Utc("2026-10-24T22:00:00Z"));
        await RecordAtAsync(id, "last", "vote", Utc("2026-10-25T22:59:59Z"));
        await RecordAtAsync(id, "after", "share", Utc("2026-10-25T23:00:00Z"));

        var dst = await BoardAsync(id, "?window=day&period=2026-10-25");

        Assert.Equal(["first", "last"], Members(dst));
        Assert.Equal(Utc("2026-10-24T22:00:00Z"), dst.GetProperty("windowStart").GetDateTimeOffset());
        Assert.Equal(Utc("2026-10-25T23:00:00Z"), dst.GetProperty("nextResetAt").GetDateTimeOffset());
        Assert.Equal(["eve"], Members(await BoardAsync(id, "?window=day&period=2026-10-24")));
        Assert.Equal(["after"], Members(await BoardAsync(id, "?window=day")));
    }

    [Fact]
    public async Task WeekWindow_StartsMondayLocalTime()
    {
        // Monday 23 Nov 2026 00:00 in Paris is Sunday 22 Nov 23:00 UTC.
        var id = await CreateProgramAsync(Rules);
        await RecordAtAsync(id, "sunday", "share", Utc("2026-11-22T22:59:59Z"));
        await RecordAtAsync(id, "monday", "share", Utc("2026-11-22T23:00:00Z"));

        var week = await BoardAsync(id, "?window=week");

        Assert.Equal("2026-W48", week.GetProperty("period").GetString());
        Assert.Equal(Utc("2026-11-22T23:00:00Z"), week.GetProperty("windowStart").GetDateTimeOffset());
        Assert.Equal(["monday"], Members(week));
        Assert.Equal(["sunday"], Members(await BoardAsync(id, "?window=week&period=2026-W47")));
    }

    [Fact]
    public async Task AroundMe_ReturnsNeighbours_WithoutOffByOne_AtBothEdges()
    {
        var id = await CreateProgramAsync("""{ "share": { "points": 1 } }""");
        var t = Utc("2026-11-18T10:00:00Z");
        for (var m = 1; m <= 7; m++)
        {
            for (var k = 0; k < 8 - m; k++)
            {
                await RecordAtAsync(id, $"m{m}", "share", t.AddSeconds(m * 10 + k)); // m1 has 7 points, m7 has 1
            }
        }
        async Task<string> Around(string member, int around)
        {
            var standing = await GetJsonAsync($"/v1/programs/{id}/leaderboards/points/members/{member}?window=week&around={around}");
            var ranks = standing.GetProperty("entries").EnumerateArray().Select(e => $"{e.GetProperty("rank").GetInt32()}:{e.GetProperty("memberId").GetString()}");
            return $"rank {standing.GetProperty("rank").GetInt64()}: {string.Join(' ', ranks)}";
        }

        Assert.Equal("rank 1: 1:m1 2:m2 3:m3", await Around("m1", 2));
        Assert.Equal("rank 7: 5:m5 6:m6 7:m7", await Around("m7", 2));
        Assert.Equal("rank 4: 2:m2 3:m3 4:m4 5:m5 6:m6", await Around("m4", 2));
        Assert.Equal("rank 2: 2:m2", await Around("m2", 0));
        Assert.Equal("rank 1: 1:m1 2:m2 3:m3 4:m4 5:m5 6:m6 7:m7", await Around("m1", 50));
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/leaderboards/points/members/nobody?window=week"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Pages_UseOffsetAndLimit()
    {
        var id = await CreateProgramAsync("""{ "share": { "points": 1 } }""");
        for (var m = 1; m <= 5; m++)
        {
            for (var k = 0; k < 6 - m; k++)
            {
                await RecordAtAsync(id, $"m{m}", "share", Utc("2026-11-18T10:00:00Z").AddSeconds(m * 10 + k));
            }
        }

        var page = await BoardAsync(id, "?offset=2&limit=2");

        Assert.Equal(["m3", "m4"], Members(page));
        Assert.Equal([3, 4], page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("rank").GetInt32()));
        Assert.Equal(5, page.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task PastPeriods_AreKeptForTheRetention_ThenNotFound()
    {
        var id = NewId("p");
        await PostJsonAsync("/v1/programs", new { id, name = "Retention", timeZone = "Europe/Paris", rules = new { share = new { points = 1 } },
            leaderboardRetention = 2 }, HttpStatusCode.Created);
        await RecordAtAsync(id, "alice", "share", Utc("2026-11-18T10:00:00Z"));

        // The day ends 18 Nov 23:00 UTC; two more days are kept, plus a day of slack: the key lives until 21 Nov 23:00,
        // 3 days 13 hours after the award (a relative time to live, which Redis's own clock applies).
        var ttl = await Factory.Redis.GetDatabase().KeyTimeToLiveAsync(RedisKeys.Leaderboard(id, "points", "day", "2026-11-18"));
        Assert.InRange(ttl!.Value, TimeSpan.FromHours(3 * 24 + 13) - TimeSpan.FromSeconds(30), TimeSpan.FromHours(3 * 24 + 13));

        Factory.SetUtcNow(Utc("2026-11-20T12:00:00Z"));
        Assert.Equal(["alice"], Members(await BoardAsync(id, "?window=day&period=2026-11-18")));
        Factory.SetUtcNow(Utc("2026-11-21T12:00:00Z"));
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/leaderboards/points?window=day&period=2026-11-18"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/leaderboards/points?window=day&period=2026-11-22"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task SuspendedAndErasedMembers_NeverAppear_AndReinstatementRestoresScores()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAtAsync(id, "alice", "review", Utc("2026-11-18T10:00:00Z"));
        await RecordAtAsync(id, "bob", "share", Utc("2026-11-18T10:00:01Z"));
        await RecordAtAsync(id, "carol", "vote", Utc("2026-11-18T10:00:02Z"));
        await Client.PutAsJsonAsync($"/v1/programs/{id}/members/carol", new { displayName = "Carol" });

        await PostJsonAsync($"/v1/programs/{id}/members/bob/suspend", null, HttpStatusCode.OK);
        foreach (var window in new[] { "all", "day", "week", "month" })
        {
            Assert.Equal(["alice", "carol"], Members(await BoardAsync(id, $"?window={window}")));
        }
        Assert.Equal("member_suspended", (await RecordAsync(id, "bob", "share")).GetProperty("reason").GetString());
        Assert.Equal(10, (await GetMemberAsync(id, "bob")).GetProperty("balance").GetInt64());

        await PostJsonAsync($"/v1/programs/{id}/members/bob/reinstate", null, HttpStatusCode.OK);
        foreach (var window in new[] { "all", "week" })
        {
            var page = await BoardAsync(id, $"?window={window}");
            Assert.Equal(["alice", "bob", "carol"], Members(page));
            Assert.Equal(10, page.GetProperty("entries")[1].GetProperty("score").GetInt64());
        }

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/members/carol")).StatusCode);
        foreach (var window in new[] { "all", "day", "week", "month" })
        {
            Assert.Equal(["alice", "bob"], Members(await BoardAsync(id, $"?window={window}")));
        }
        Assert.Empty(Members(await BoardAsync(id, "?window=week", board: "vote")));
        await GetJsonAsync($"/v1/programs/{id}/members/carol", HttpStatusCode.NotFound);
        await AssertProblemAsync(await PostActivityAsync(id, new { memberId = "carol", type = "vote" }), HttpStatusCode.Conflict);
        await AssertProblemAsync(await Client.PutAsJsonAsync($"/v1/programs/{id}/members/carol", new { displayName = "Carol" }), HttpStatusCode.Conflict);
        var stored = await Factory.Redis.GetDatabase().HashGetAllAsync(RedisKeys.Member(id, "carol"));
        Assert.DoesNotContain(stored, e => e.Value == "Carol");
    }

    [Fact]
    public async Task Suspension_ClearsTheNextPeriod_WhereAnActivityDatedAfterMidnightLanded()
    {
        // 23:58 in Paris; an activity dated 00:01 (3 minutes ahead, within the accepted skew) counts in tomorrow's day board.
        var id = await CreateProgramAsync(Rules);
        var beforeMidnight = Utc("2026-11-18T22:58:00Z");
        Factory.SetUtcNow(beforeMidnight);
        await RecordAsync(id, "alice", "review", occurredAt: beforeMidnight.AddMinutes(3));
        await RecordAtAsync(id, "bob", "share", beforeMidnight);

        await PostJsonAsync($"/v1/programs/{id}/members/alice/suspend", null, HttpStatusCode.OK);
        Factory.SetUtcNow(beforeMidnight.AddMinutes(5));
        Assert.Empty(Members(await BoardAsync(id, "?window=day")));
        Assert.Empty(Members(await BoardAsync(id, "?window=day", board: "review")));

        await PostJsonAsync($"/v1/programs/{id}/members/alice/reinstate", null, HttpStatusCode.OK);
        Assert.Equal(["alice"], Members(await BoardAsync(id, "?window=day")));
    }

    [Fact]
    public async Task ApprovalsAndReversals_MoveTheBoards()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50, "requiresApproval": true }, "share": { "points": 10 } }""");
        var pending = (await RecordAtAsync(id, "alice", "review", Utc("2026-11-18T10:00:00Z"))).GetProperty("activityId").GetString();
        var shared = (await RecordAtAsync(id, "bob", "share", Utc("2026-11-18T10:00:01Z"))).GetProperty("activityId").GetString();
        Assert.Equal(["bob"], Members(await BoardAsync(id, "?window=week")));

        await PostJsonAsync($"/v1/programs/{id}/activities/{pending}/approve", null, HttpStatusCode.OK);
        Assert.Equal(["alice", "bob"], Members(await BoardAsync(id, "?window=week")));
        Assert.Equal(["alice"], Members(await BoardAsync(id, "?window=week", board: "review")));

        await PostJsonAsync($"/v1/programs/{id}/activities/{shared}/reverse", new { reason = "spam" }, HttpStatusCode.OK);
        foreach (var window in new[] { "all", "day", "week", "month" })
        {
            Assert.Equal(["alice"], Members(await BoardAsync(id, $"?window={window}")));
        }
    }

    [Fact]
    public async Task BoardScores_StayExact_ThroughBackdatedAwards_ModerationOfOlderPeriods_AndSuspension()
    {
        // Awards read a member's window entries from the member hash ('e:<board>:<periodId>') instead of the boards, backdated
        // activities and moderation of older periods included. Every path must leave both equal.
        var id = await CreateProgramAsync(Rules);
        var day18 = Utc("2026-11-18T10:00:00Z");
        await RecordAtAsync(id, "alice", "review", day18);                                          // 18th: 50
        var backdated = await RecordAsync(id, "alice", "share", occurredAt: day18.AddDays(-1));    // 17th: 10
        await RecordAtAsync(id, "alice", "share", day18.AddSeconds(1));                             // 18th: 60
        await PostJsonAsync($"/v1/programs/{id}/activities/{backdated.GetProperty("activityId").GetString()}/reverse",
            new { reason = "duplicate" }, HttpStatusCode.OK);                                       // 17th: 0
        var lastOf18th = await RecordAtAsync(id, "alice", "review", day18.AddSeconds(2));           // 18th: 110
        await PostJsonAsync($"/v1/programs/{id}/members/alice/suspend", null, HttpStatusCode.OK);
        await PostJsonAsync($"/v1/programs/{id}/members/alice/reinstate", null, HttpStatusCode.OK);
        var day19 = Utc("2026-11-19T10:00:00Z");
        await RecordAtAsync(id, "alice", "share", day19);                                           // 19th: 10
        await PostJsonAsync($"/v1/programs/{id}/activities/{lastOf18th.GetProperty("activityId").GetString()}/reverse",
            new { reason = "spam" }, HttpStatusCode.OK);                                            // 18th: 60
        await RecordAtAsync(id, "alice", "review", day19.AddSeconds(1));                            // 19th: 60
        await RecordAtAsync(id, "bob", "review", day19.AddSeconds(2));

        long Score(JsonElement page, string member) =>
            page.GetProperty("entries").EnumerateArray().Where(e => e.GetProperty("memberId").GetString() == member)
                .Select(e => e.GetProperty("score").GetInt64()).SingleOrDefault();
        Assert.Equal(0, Score(await BoardAsync(id, "?window=day&period=2026-11-17"), "alice"));
        Assert.Equal(60, Score(await BoardAsync(id, "?window=day&period=2026-11-18"), "alice"));
        Assert.Equal(60, Score(await BoardAsync(id, "?window=day"), "alice"));
        Assert.Equal(120, Score(await BoardAsync(id, "?window=week"), "alice"));
        Assert.Equal(120, Score(await BoardAsync(id, "?window=month"), "alice"));
        Assert.Equal(120, Score(await BoardAsync(id, "?window=all"), "alice"));
        Assert.Equal(50, Score(await BoardAsync(id, "?window=day", board: "review"), "alice"));
        Assert.Equal(100, Score(await BoardAsync(id, "?window=week", board: "review"), "alice"));
        Assert.Equal(["alice", "bob"], Members(await BoardAsync(id, "?window=day", board: "review")));

        // The period fields kept in the member hash ('e:<board>:<periodId>' = 'points:seq') name the boards' entries exactly.
        var db = Factory.Redis.GetDatabase();
        var periods = new[] { ("day", "2026-11-19"), ("week", "2026-W47"), ("month", "2026-11"), ("day", "2026-11-18"), ("day", "2026-11-17") };
        foreach (var board in new[] { "points", "review", "share" })
        {
            foreach (var (window, period) in periods)
            {
                var stored = (string?)await db.HashGetAsync(RedisKeys.Member(id, "alice"), MemberFields.BoardPeriodOf(board, period));
                var key = RedisKeys.Leaderboard(id, board, window, period);
                var onBoard = await db.SortedSetRangeByRankWithScoresAsync(key);
                var mine = onBoard.Where(e => ScoreEncoding.MemberOf((string)e.Element!) == "alice").ToArray();
                if (stored is null || stored.StartsWith("0:", StringComparison.Ordinal))
                {
                    Assert.Empty(mine);
                    continue;
                }
                var (points, seq) = (long.Parse(stored.Split(':')[0]), long.Parse(stored.Split(':')[1]));
                var entry = Assert.Single(mine);
                Assert.Equal(ScoreEncoding.Entry(seq, "alice"), (string)entry.Element!);
                Assert.Equal(points * ScoreEncoding.WindowScale, entry.Score);
            }
        }
    }

    [Fact]
    public async Task ClosedPeriod_IsArchivedOnce_AndReRunsChangeNothing()
    {
        var id = await CreateProgramAsync(Rules);
        await Client.PutAsJsonAsync($"/v1/programs/{id}/members/alice", new { displayName = "Alice" });
        await RecordAtAsync(id, "alice", "review", Utc("2026-11-18T10:00:00Z"));
        await RecordAtAsync(id, "bob", "share", Utc("2026-11-18T10:00:01Z"));
        var job = Factory.Services.GetRequiredService<WindowCloseJob>();

        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/leaderboards/points/archives/2026-11-18"), HttpStatusCode.NotFound);
        Factory.SetUtcNow(Utc("2026-11-18T23:05:00Z")); // 00:05 on 19 Nov in Paris
        Assert.True(await job.CloseAsync(id, WindowKind.Day) > 0);
        var first = await Client.GetStringAsync($"/v1/programs/{id}/leaderboards/points/archives/2026-11-18");

        await RecordAsync(id, "carol", "review"); // after the close, in the new day
        Assert.Equal(0, await job.CloseAsync(id, WindowKind.Day));
        var second = await Client.GetStringAsync($"/v1/programs/{id}/leaderboards/points/archives/2026-11-18");

        Assert.Equal(first, second);
        var archive = JsonDocument.Parse(first).RootElement;
        Assert.Equal(["alice", "bob"], Members(archive));
        Assert.Equal("Alice", archive.GetProperty("entries")[0].GetProperty("displayName").GetString());
        Assert.Equal(Utc("2026-11-17T23:00:00Z"), archive.GetProperty("windowStart").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync($"/v1/programs/{id}/leaderboards/review/archives/2026-11-18")).StatusCode);
    }

    [Fact]
    public async Task Archive_LeavesOutErasedMembers_AndShowsCurrentNames_WithoutRewritingTheArchive()
    {
        var id = await CreateProgramAsync(Rules);
        foreach (var (member, name) in new[] { ("alice", "Alice"), ("bob", "Bob"), ("carol", "Carol") })
        {
            await Client.PutAsJsonAsync($"/v1/programs/{id}/members/{member}", new { displayName = name });
        }
        await RecordAtAsync(id, "alice", "review", Utc("2026-11-18T10:00:00Z"));
        await RecordAtAsync(id, "bob", "share", Utc("2026-11-18T10:00:01Z"));
        await RecordAtAsync(id, "carol", "vote", Utc("2026-11-18T10:00:02Z"));
        Factory.SetUtcNow(Utc("2026-11-18T23:05:00Z")); // 00:05 on 19 Nov in Paris
        await Factory.Services.GetRequiredService<WindowCloseJob>().CloseAsync(id, WindowKind.Day);
        var key = RedisKeys.LeaderboardArchive(id, "points", "2026-11-18");
        var stored = (string?)await Factory.Redis.GetDatabase().StringGetAsync(key);

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/members/bob")).StatusCode);
        await Client.PutAsJsonAsync($"/v1/programs/{id}/members/carol", new { displayName = "Caroline" });
        var archive = await GetJsonAsync($"/v1/programs/{id}/leaderboards/points/archives/2026-11-18");

        var entries = archive.GetProperty("entries").EnumerateArray()
            .Select(e => $"{e.GetProperty("rank").GetInt32()}:{e.GetProperty("memberId").GetString()}:{e.GetProperty("displayName").GetString()}");
        Assert.Equal(["1:alice:Alice", "3:carol:Caroline"], entries);
        Assert.Equal(3, archive.GetProperty("total").GetInt64());
        Assert.DoesNotContain("bob", archive.GetRawText());
        Assert.DoesNotContain("Bob", archive.GetRawText());
        Assert.Equal(stored, (string?)await Factory.Redis.GetDatabase().StringGetAsync(key)); // the archive itself is immutable
        Assert.DoesNotContain("Alice", stored); // and holds no display names
    }

    [Fact]
    public async Task MemberToken_ReadsTheProgramsLeaderboards()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAsync(id, "alice", "review");
        var (clientId, secret) = await CreateApiClientAsync(id, Scopes.Activities);
        using var app = Factory.CreateClient(await Factory.TokenAsync(clientId, secret, grantType: MemberGrant.Type, memberId: "alice"));

        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync($"/v1/programs/{id}/leaderboards/points?window=week")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync($"/v1/programs/{id}/leaderboards/points/members/alice")).StatusCode);
    }

    [Theory]
    [InlineData("points?window=year", 400)]
    [InlineData("points?window=all&period=2026-11", 400)]
    [InlineData("points?window=week&period=2026-47", 400)]
    [InlineData("points?window=day&period=2026-02-30", 400)]
    [InlineData("points?window=month&period=2026-13", 400)]
    [InlineData("points?limit=101", 400)]
    [InlineData("points?offset=-1", 400)]
    [InlineData("dance", 404)]
    [InlineData("points/members/alice?around=51", 400)]
    [InlineData("points/archives/2026-11", 404)]
    [InlineData("points/archives/..%2F..%2Fkeys", 404)]
    public async Task BadQueries_GetProblems(string path, int status)
    {
        var id = await CreateProgramAsync(Rules);
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/leaderboards/{path}"), (HttpStatusCode)status);
    }
    private static readonly string[] AllWindows = ["all", "day", "week", "month"];

    /// <summary>On every window of the board: the order, and each member's around-me rank (around=0) equal to their rank in the list.</summary>
    private async Task AssertOrderAsync(string programId, string board, string[] expected)
    {
        foreach (var window in AllWindows)
        {
            var page = await BoardAsync(programId, $"?window={window}", board);
            Assert.True(expected.SequenceEqual(Members(page)), $"{board}/{window}: {string.Join(", ", Members(page))}");
            foreach (var entry in page.GetProperty("entries").EnumerateArray())
            {
                var member = entry.GetProperty("memberId").GetString();
                var standing = await GetJsonAsync($"/v1/programs/{programId}/leaderboards/{board}/members/{member}?window={window}&around=0");
                Assert.Equal(entry.GetProperty("rank").GetInt64(), standing.GetProperty("rank").GetInt64());
                Assert.Equal(entry.GetProperty("score").GetInt64(), standing.GetProperty("score").GetInt64());
            }
        }
    }

    [Fact]
    public async Task Ties_InTheSameMillisecond_GoToTheFirstCommitted_OnEveryWindowAndTheTypeBoard_ThroughSuspension()
    {
        // The clock does not move: every award below is recorded in the same millisecond. m2 commits first; bare ids
        // would put m3 first (Redis orders equal scores by member, read highest first).
        var id = await CreateProgramAsync(Rules);
        Factory.SetUtcNow(Utc("2026-11-18T10:00:00.123Z"));
        for (var i = 0; i < 5; i++)
        {
            await RecordAsync(id, "m2", "share");
        }
        for (var i = 0; i < 5; i++)
        {
            await RecordAsync(id, "m3", "share");
        }
        await RecordAsync(id, "m1", "vote"); // a lower score, listed last

        await AssertOrderAsync(id, "points", ["m2", "m3", "m1"]);
        await AssertOrderAsync(id, "share", ["m2", "m3"]);

        // Suspension parks m2's entries, reinstatement restores them with their tie position.
        await PostJsonAsync($"/v1/programs/{id}/members/m2/suspend", null, HttpStatusCode.OK);
        await AssertOrderAsync(id, "points", ["m3", "m1"]);
        await PostJsonAsync($"/v1/programs/{id}/members/m2/reinstate", null, HttpStatusCode.OK);
        await AssertOrderAsync(id, "points", ["m2", "m3", "m1"]);
        await AssertOrderAsync(id, "share", ["m2", "m3"]);

        // The tie moves with the next commit: m3 reaches 60 first, then m2.
        await RecordAsync(id, "m3", "share");
        await RecordAsync(id, "m2", "share");
        await AssertOrderAsync(id, "points", ["m3", "m2", "m1"]);
    }

    [Fact]
    public async Task Ties_InTheSameSecond_GoToTheFirstCommitted_OnEveryWindowAndTheTypeBoard_AndInTheArchive()
    {
        // The issue's case: m2 reaches 50 with one review, m3 reaches 50 a moment later (same second) with five shares.
        var id = await CreateProgramAsync(Rules);
        var t = Utc("2026-11-18T10:00:00.100Z");
        await RecordAtAsync(id, "m2", "review", t);
        for (var i = 1; i <= 5; i++)
        {
            await RecordAtAsync(id, "m3", "share", t.AddMilliseconds(100 * i));
        }
        // Then a1 and b1 reach 50 with five shares each, still in the same second: on the share board too.
        foreach (var (member, from) in new[] { ("a1", 610), ("b1", 660) })
        {
            for (var i = 0; i < 5; i++)
            {
                await RecordAtAsync(id, member, "share", t.AddMilliseconds(from + 5 * i));
            }
        }

        await AssertOrderAsync(id, "points", ["m2", "m3", "a1", "b1"]);
        await AssertOrderAsync(id, "share", ["m3", "a1", "b1"]);

        // The day's archive (and so perk audiences "top N of the last period") keeps the order.
        Factory.SetUtcNow(Utc("2026-11-18T23:05:00Z")); // 00:05 on 19 Nov in Paris
        Assert.True(await Factory.Services.GetRequiredService<WindowCloseJob>().CloseAsync(id, WindowKind.Day) > 0);
        Assert.Equal(["m2", "m3", "a1", "b1"], Members(await GetJsonAsync($"/v1/programs/{id}/leaderboards/points/archives/2026-11-18")));
    }

    [Fact]
    public async Task Ties_AtTwoToTheThirtyOneMinusOnePointsInAWindow_AreExact()
    {
        // Reaching 2^31 − 1 points through the API takes thousands of awards: the members' month entries are set to
        // 2^31 − 2 points (as the award script writes them), then one vote each, in the same millisecond, m2 first.
        const long max = (1L << 31) - 1;
        var id = await CreateProgramAsync("""{ "vote": { "points": 1 } }""");
        Factory.SetUtcNow(Utc("2026-11-18T10:00:00Z"));
        await RecordAsync(id, "m3", "vote");
        await RecordAsync(id, "m2", "vote");
        var db = Factory.Redis.GetDatabase();
        var month = RedisKeys.Leaderboard(id, "points", "month", "2026-11");
        foreach (var (member, seq) in new[] { ("m3", 1L), ("m2", 2L) })
        {
            var stored = ((string)(await db.HashGetAsync(RedisKeys.Member(id, member), MemberFields.BoardPeriodOf("points", "2026-11")))!).Split(':');
            Assert.Equal(1, await db.SortedSetRemoveAsync(month, ScoreEncoding.Entry(long.Parse(stored[1]), member)) ? 1 : 0);
            await db.SortedSetAddAsync(month, ScoreEncoding.Entry(seq, member), (max - 1) * ScoreEncoding.WindowScale);
            await db.HashSetAsync(RedisKeys.Member(id, member), MemberFields.BoardPeriodOf("points", "2026-11"), $"{max - 1}:{seq}");
        }
        await RecordAsync(id, "m2", "vote");
        await RecordAsync(id, "m3", "vote");

        var page = await BoardAsync(id, "?window=month");
        Assert.Equal(["m2", "m3"], Members(page));
        Assert.Equal([max, max], page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("score").GetInt64()));
        var around = await GetJsonAsync($"/v1/programs/{id}/leaderboards/points/members/m3?window=month&around=1");
        Assert.Equal(2, around.GetProperty("rank").GetInt64());
        Assert.Equal(max, around.GetProperty("score").GetInt64());
    }
    [Fact]
    public async Task BoardsOfTheFormerEncoding_AreReadAsTheyAre_RankAheadOfLaterTies_AndMoveToTheSequenceOnTheNextAward()
    {
        // Written before the commit sequence: week entries are the bare member id scored points × 2^22 + (2^22 − 1 − reach
        // second), all-time entries '<9999999999999 − reach ms>:<id>' named by the member's 'lb:points'.
        var id = await CreateProgramAsync(Rules);
        Factory.SetUtcNow(Utc("2026-11-18T10:00:00Z"));
        var db = Factory.Redis.GetDatabase();
        var (week, all) = (RedisKeys.Leaderboard(id, "points", "week", "2026-W47"), RedisKeys.Leaderboard(id, "points", "all", null));
        foreach (var (member, points, second, ms) in new[] { ("old1", 50L, 100L, 1_795_000_000_000L), ("old2", 10L, 50L, 1_795_000_000_500L) })
        {
            var entry = $"{9_999_999_999_999L - ms:D13}:{member}";
            await db.SortedSetAddAsync(week, member, points * ScoreEncoding.WindowScale + ScoreEncoding.WindowScale - 1 - second);
            await db.SortedSetAddAsync(all, entry, points);
            await db.HashSetAsync(RedisKeys.Member(id, member), [new("status", "active"), new("balance", points), new("lifetime", points),
                new("createdAt", ms), new(MemberFields.BoardEntryOf("points"), entry), new(MemberFields.BoardWindowsOf("points"), "1:1;2:2;3:3")]);
        }
        await db.KeyExpireAsync(week, TimeSpan.FromDays(30));

        await RecordAsync(id, "new1", "review"); // 50 points, reached after old1's 50
        foreach (var window in new[] { "all", "week" })
        {
            var page = await BoardAsync(id, $"?window={window}");
            Assert.Equal(["old1", "new1", "old2"], Members(page));
            Assert.Equal([50, 50, 10], page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("score").GetInt64()));
            foreach (var (member, rank) in new[] { ("old1", 1), ("new1", 2), ("old2", 3) })
            {
                var standing = await GetJsonAsync($"/v1/programs/{id}/leaderboards/points/members/{member}?window={window}&around=0");
                Assert.Equal(rank, standing.GetProperty("rank").GetInt64());
            }
        }

        // old2's next award replaces its former entry by one of the sequence: one entry each, 40 points for old2.
        await RecordAsync(id, "old2", "share");
        await RecordAsync(id, "old2", "share");
        await RecordAsync(id, "old2", "share");
        foreach (var window in new[] { "all", "week" })
        {
            var page = await BoardAsync(id, $"?window={window}");
            Assert.Equal(["old1", "new1", "old2"], Members(page));
            Assert.Equal([50, 50, 40], page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("score").GetInt64()));
        }
        Assert.Null(await db.SortedSetScoreAsync(week, "old2"));
        Assert.Equal(3, await db.SortedSetLengthAsync(week));
        await RecordAsync(id, "old2", "share"); // 50: reached last, ranks after both
        Assert.Equal(["old1", "new1", "old2"], Members(await BoardAsync(id, "?window=week")));
    }
    [Fact]
    public async Task PeriodFields_OfTheMember_GoWhenTheirBoardsHaveExpired()
    {
        // Retention 1: the day of 2 Nov is kept until 5 Nov (end, one more day, a day of slack), its week (W45) until 17 Nov.
        var id = NewId("p");
        await PostJsonAsync("/v1/programs", new { id, name = "Fields", timeZone = "Europe/Paris", rules = new { share = new { points = 1 } },
            leaderboardRetention = 1 }, HttpStatusCode.Created);
        await RecordAtAsync(id, "alice", "share", Utc("2026-11-02T10:00:00Z"));
        var member = RedisKeys.Member(id, "alice");
        var db = Factory.Redis.GetDatabase();
        Assert.True(await db.HashExistsAsync(member, MemberFields.BoardPeriodOf("share", "2026-11-02")));

        await RecordAtAsync(id, "alice", "share", Utc("2026-11-20T10:00:00Z"));

        foreach (var board in new[] { "points", "share" })
        {
            Assert.False(await db.HashExistsAsync(member, MemberFields.BoardPeriodOf(board, "2026-11-02")));
            Assert.False(await db.HashExistsAsync(member, MemberFields.BoardPeriodOf(board, "2026-W45")));
            Assert.Equal("2", ((string)(await db.HashGetAsync(member, MemberFields.BoardPeriodOf(board, "2026-11")))!).Split(':')[0]); // points
            Assert.True(await db.HashExistsAsync(member, MemberFields.BoardPeriodOf(board, "2026-11-20")));
            Assert.False(await db.HashExistsAsync(member, MemberFields.BoardWindowsOf(board))); // no registry: the cutoffs tell
        }
        var periods = (await db.HashKeysAsync(member)).Select(f => (string)f!).Where(f => f.StartsWith(MemberFields.BoardPeriod, StringComparison.Ordinal));
        Assert.Equal(["e:points:2026-11", "e:points:2026-11-20", "e:points:2026-W47", "e:share:2026-11", "e:share:2026-11-20", "e:share:2026-W47"],
            periods.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task MemberHash_OfAMemberEarningEveryDayInTwoTypes_StaysACompactListpack()
    {
        // Every value stays under Redis's 64-byte listpack limit and the fields stay bounded by the retention, so a member
        // who earns every day keeps the compact encoding (a registry of periods, as before, outgrew 64 bytes on day 2).
        var id = NewId("p");
        await PostJsonAsync("/v1/programs", new { id, name = "Compact", timeZone = "Europe/Paris",
            rules = new { share = new { points = 1 }, review = new { points = 2 } }, leaderboardRetention = 2 }, HttpStatusCode.Created);
        var start = Utc("2026-10-01T10:00:00Z");
        for (var day = 0; day < 45; day++)
        {
            await RecordAtAsync(id, "alice", "share", start.AddDays(day));
            await RecordAtAsync(id, "alice", "review", start.AddDays(day));
        }
        var db = Factory.Redis.GetDatabase();
        var member = RedisKeys.Member(id, "alice");

        Assert.Equal("listpack", (string?)await db.ExecuteAsync("OBJECT", "ENCODING", (string)member!));
        var periods = (await db.HashKeysAsync(member)).Count(f => ((string)f!).StartsWith(MemberFields.BoardPeriod, StringComparison.Ordinal));
        // 3 boards (points, share, review) x (retention + current + slack) periods of each window at most.
        Assert.InRange(periods, 3 * 3, 3 * 3 * (2 + 3));
        var top = await BoardAsync(id, "?window=day");
        Assert.Equal(3, top.GetProperty("entries")[0].GetProperty("score").GetInt64());
    }

    [Fact]
    public async Task LegacyRegistryAndAllTimeEntry_AreReadAndReplaced()
    {
        // A member written by the former layout: 'lb:points' holds the entry itself and 'w:points' lists periods.
        var id = NewId("p");
        await PostJsonAsync("/v1/programs", new { id, name = "Legacy", timeZone = "Europe/Paris", rules = new { share = new { points = 5 } } },
            HttpStatusCode.Created);
        await RecordAsync(id, "alice", "share");
        var db = Factory.Redis.GetDatabase();
        var member = RedisKeys.Member(id, "alice");
        var all = RedisKeys.Leaderboard(id, "points", "all", null);
        var seq = (string)(await db.HashGetAsync(member, MemberFields.BoardEntryOf("points")))!;
        Assert.DoesNotContain(":", seq); // the new layout keeps the commit sequence only
        var legacyEntry = (string)(await db.SortedSetRangeByRankAsync(all, 0, 0))[0]!;
        await db.HashSetAsync(member, [new(MemberFields.BoardEntryOf("points"), legacyEntry), new(MemberFields.BoardWindowsOf("points"), "2026-11-01@1;x@2")]);

        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddDays(1));
        await RecordAsync(id, "alice", "share");

        Assert.Equal(1, await db.SortedSetLengthAsync(all)); // the legacy entry was found and replaced, not duplicated
        Assert.Equal(10, await db.SortedSetScoreAsync(all, (await db.SortedSetRangeByRankAsync(all, 0, 0))[0]));
        Assert.False(await db.HashExistsAsync(member, MemberFields.BoardWindowsOf("points")));
        var standing = await GetJsonAsync($"/v1/programs/{id}/leaderboards/points/members/alice?around=0");
        Assert.Equal(1, standing.GetProperty("rank").GetInt64());
    }
}
