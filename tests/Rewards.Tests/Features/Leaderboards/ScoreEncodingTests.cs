using Rewards.Api.Features.Leaderboards;
using Rewards.Tests.Infrastructure;
using Rewards.Api.Infrastructure.Redis;
using StackExchange.Redis;

namespace Rewards.Tests.Features.Leaderboards;

/// <summary>The Lua board library itself, at the limits docs/leaderboards.md promises: 2^31 − 1 points, ties by commit sequence.</summary>
public sealed class ScoreEncodingTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private const long MaxPoints = (1L << 31) - 1;

    private async Task<RedisResult> RunAsync(string driver, RedisKey[] keys, RedisValue[] args) =>
        await RedisScript.FromSource("encoding-driver", "--!include boards\n" + driver).RunAsync(Factory.Redis.GetDatabase(), keys, args);

    private static string[] Members(RedisResult[] rows) => [.. rows.Where((_, i) => i % 2 == 0).Select(r => ScoreEncoding.MemberOf((string)r!))];

    [Fact]
    public async Task WindowScores_StayExact_AndTiesFollowTheSequence_AtTwoToTheThirtyOnePoints()
    {
        var key = RedisKeys.Leaderboard(NewId("enc"), "points", "month", "2026-11");
        // a reaches the maximum first (in two steps: sequence 1, then 10), b next (11), d last (12); c stays one point below.
        // Bare member ids would order the tie d, b, a (Redis orders equal scores by member, read highest first).
        var driver = """
            local out, f, max, ttl = {}, 'e:points:2026-11', tonumber(ARGV[1]), ARGV[2]
            boards.addToWindow(KEYS[1], 'a', max - 1, f, nil, ttl, 1, out)
            boards.addToWindow(KEYS[1], 'd', max, f, nil, ttl, 12, out)
            boards.addToWindow(KEYS[1], 'b', max, f, nil, ttl, 11, out)
            boards.addToWindow(KEYS[1], 'a', 1, f, out[2], ttl, 10, out)
            boards.addToWindow(KEYS[1], 'c', max - 1, f, nil, ttl, 9, out)
            return redis.call('ZREVRANGE', KEYS[1], 0, -1, 'WITHSCORES')
            """;

        var rows = (RedisResult[])(await RunAsync(driver, [key], [MaxPoints, 86400]))!;

        Assert.Equal(["a", "b", "d", "c"], Members(rows));
        var scores = rows.Where((_, i) => i % 2 == 1).Select(r => double.Parse((string)r!, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal([MaxPoints, MaxPoints, MaxPoints, MaxPoints - 1], scores.Select(ScoreEncoding.WindowPoints));
        Assert.All(scores, s => Assert.Equal(0, s % ScoreEncoding.WindowScale)); // no fraction, no rounding: points × 2^22 exactly
    }

    [Fact]
    public async Task AllTimeEntries_BreakTiesByTheSequence_BeyondTwoToTheThirtyOne()
    {
        var key = RedisKeys.Leaderboard(NewId("enc"), "points", "all", null);
        const long big = 1L << 40; // far past 2^31: the all-time score is the points themselves
        var driver = """
            local a = boards.setAllTime(KEYS[1], nil, 'late', tonumber(ARGV[1]), 7)
            local b = boards.setAllTime(KEYS[1], nil, 'early', tonumber(ARGV[1]) - 1, 3)
            local c = boards.setAllTime(KEYS[1], nil, 'low', tonumber(ARGV[1]) - 1, 5)
            b = boards.setAllTime(KEYS[1], b, 'early', tonumber(ARGV[1]), 6)
            return redis.call('ZREVRANGE', KEYS[1], 0, -1, 'WITHSCORES')
            """;

        var rows = (RedisResult[])(await RunAsync(driver, [key], [big]))!;

        Assert.Equal(3 * 2, rows.Length);
        Assert.Equal(["early", "late", "low"], Members(rows));
        Assert.Equal(ScoreEncoding.Entry(6, "early"), (string)rows[0]!);
        Assert.Equal([big, big, big - 1], rows.Where((_, i) => i % 2 == 1).Select(r => long.Parse((string)r!)));
    }

    [Fact]
    public async Task EntriesOfTheFormerEncoding_RankAboveNewOnesOfEqualPoints_AndAreReplacedOnTheNextWrite()
    {
        // Before the sequence, window entries were the member id scored points × 2^22 + (2^22 − 1 − reach second), and
        // all-time entries '<9999999999999 − reach ms>:<id>'. Reached before any new entry, they must stay ahead of it.
        var id = NewId("enc");
        var (month, all) = (RedisKeys.Leaderboard(id, "points", "month", "2026-11"), RedisKeys.Leaderboard(id, "points", "all", null));
        var db = Factory.Redis.GetDatabase();
        await db.SortedSetAddAsync(month, "old", 50 * ScoreEncoding.WindowScale + ScoreEncoding.WindowScale - 1 - 86400);
        await db.SortedSetAddAsync(all, "8205000000000:old", 50);
        var driver = """
            local out = {}
            boards.addToWindow(KEYS[1], 'new', 50, 'e:points:2026-11', nil, 86400, 1, out)
            boards.setAllTime(KEYS[2], nil, 'new', 50, 1)
            boards.addToWindow(KEYS[1], 'older', 40, 'e:points:2026-11', nil, 86400, 2, out)
            return out
            """;
        await db.SortedSetAddAsync(month, "older", 30 * ScoreEncoding.WindowScale + 5);

        var written = (RedisResult[])(await RunAsync(driver, [month, all], []))!;

        foreach (var key in new[] { month, all })
        {
            var rows = await db.SortedSetRangeByRankAsync(key, order: Order.Descending);
            Assert.Equal(key == month ? ["older", "old", "new"] : ["old", "new"], rows.Select(r => ScoreEncoding.MemberOf((string)r!)));
        }
        // 'older' (30 points in the former encoding) got 40 more: one entry, of the new encoding, with 70 points.
        Assert.Equal(70 * ScoreEncoding.WindowScale, await db.SortedSetScoreAsync(month, ScoreEncoding.Entry(2, "older")));
        Assert.Null(await db.SortedSetScoreAsync(month, "older"));
        Assert.Equal("70:2", (string)written[3]!);
    }
}
