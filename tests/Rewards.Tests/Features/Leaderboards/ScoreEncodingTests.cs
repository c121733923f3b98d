using System.Reflection;
using Rewards.Api.Features.Leaderboards;
using Rewards.Tests.Infrastructure;
using Rewards.Api.Infrastructure.Redis;
using StackExchange.Redis;

namespace Rewards.Tests.Features.Leaderboards;

/// <summary>The Lua board library itself, at the limits docs/leaderboards.md promises: 2^31 − 1 points, exact ties.</summary>
public sealed class ScoreEncodingTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private const long MaxPoints = (1L << 31) - 1;

    private async Task<RedisResult> RunAsync(string driver, RedisKey[] keys, RedisValue[] args) =>
        await RedisScript.FromSource("encoding-driver", "--!include boards\n" + driver).RunAsync(Factory.Redis.GetDatabase(), keys, args);

    [Fact]
    public async Task WindowScores_StayExactAndOrdered_AtTwoToTheThirtyOnePoints()
    {
        var key = RedisKeys.Leaderboard(NewId("enc"), "points", "month", "2026-11");
        const long monthStart = 1_793_487_600; // 2026-10-31T23:00:00Z
        const long nowMs = (monthStart + 30L * 86400) * 1000; // 30 days into the month
        // a reaches the maximum first, b one second later; c stays one point below; d reaches the maximum last.
        var driver = """
            boards.addToWindow(KEYS[1], 'a', tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]), ARGV[4], {}, 1)
            boards.addToWindow(KEYS[1], 'b', tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]) + 1000, ARGV[4], {}, 1)
            boards.addToWindow(KEYS[1], 'c', tonumber(ARGV[1]) - 1, ARGV[2], tonumber(ARGV[3]) - 5000, ARGV[4], {}, 1)
            boards.addToWindow(KEYS[1], 'd', tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]) + 7 * 86400 * 1000, ARGV[4], {}, 1)
            return redis.call('ZREVRANGE', KEYS[1], 0, -1, 'WITHSCORES')
            """;

        var rows = (RedisResult[])(await RunAsync(driver, [key], [MaxPoints, monthStart, nowMs, 86400]))!;

        Assert.Equal(["a", "b", "d", "c"], rows.Where((_, i) => i % 2 == 0).Select(r => (string)r!));
        var points = rows.Where((_, i) => i % 2 == 1).Select(r => ScoreEncoding.WindowPoints(double.Parse((string)r!, System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        Assert.Equal([MaxPoints, MaxPoints, MaxPoints, MaxPoints - 1], points);
        Assert.True(points.All(p => p < 1L << 31));
    }

    [Fact]
    public async Task AllTimeEntries_BreakTiesToTheMillisecond_BeyondTwoToTheThirtyOne()
    {
        var key = RedisKeys.Leaderboard(NewId("enc"), "points", "all", null);
        const long big = 1L << 40; // far past 2^31: the all-time score is the points themselves
        var driver = """
            local a = boards.setAllTime(KEYS[1], nil, 'late', tonumber(ARGV[1]), tonumber(ARGV[2]) + 1)
            local b = boards.setAllTime(KEYS[1], nil, 'early', tonumber(ARGV[1]), tonumber(ARGV[2]))
            local c = boards.setAllTime(KEYS[1], nil, 'low', tonumber(ARGV[1]) - 1, tonumber(ARGV[2]) - 100000)
            b = boards.setAllTime(KEYS[1], b, 'early', tonumber(ARGV[1]), tonumber(ARGV[2]))
            return redis.call('ZREVRANGE', KEYS[1], 0, -1, 'WITHSCORES')
            """;

        var rows = (RedisResult[])(await RunAsync(driver, [key], [big, 1_795_000_000_000L]))!;

        Assert.Equal(3 * 2, rows.Length);
        Assert.Equal(["early", "late", "low"], rows.Where((_, i) => i % 2 == 0).Select(r => ((string)r!)[14..]));
        Assert.Equal([big, big, big - 1], rows.Where((_, i) => i % 2 == 1).Select(r => long.Parse((string)r!)));
    }
}
