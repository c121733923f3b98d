using System.Text.RegularExpressions;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Tests.Infrastructure;
using StackExchange.Redis;

namespace Rewards.Tests.Infrastructure.Redis;

/// <summary>
/// tests/Rewards.Benchmarks/redis/award-floor.lua is loaded by scripts/bench as it is (no modules), so it copies the
/// product's names: these tests fail when the product's scripts move away from them.
/// </summary>
public sealed partial class AwardFloorTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private static readonly string Floor =
        File.ReadAllText(Path.Combine(RepositoryRoot.Path, "tests", "Rewards.Benchmarks", "redis", "award-floor.lua"));

    [Fact]
    public void Floor_UsesTheBoardsScoreScaleAndReachEncoding()
    {
        var boards = RedisScript.FromResource("award").Body;
        var floor = FloorConstants().Match(Floor);
        Assert.True(floor.Success);
        Assert.Contains($"local WINDOW_SCALE = {floor.Groups[1].Value} ", boards);
        Assert.Contains($"local SEQ_TOP = {floor.Groups[2].Value} ", boards);
    }

    [Fact]
    public async Task Floor_ReadsTheMemberFieldsAnAwardReads_InTheSameOrder()
    {
        var fields = FloorRead().Match(Floor).Groups[1].Value.Split(',').Select(f => f.Trim().Trim('\'')).ToArray();
        var key = RedisKeys.Member(NewId("floor"), "m");
        var db = Factory.Redis.GetDatabase();
        // Each field holds its own name: member.read then answers the names it asks for, in its order (nil for one the floor lacks).
        await db.HashSetAsync(key, [.. fields.Select(f => new HashEntry(f, f))]);
        var read = RedisScript.FromSource("floor-read", """
            --!include member
            local t, periods = {member.typeFields('comment')}, {}
            for _, board in ipairs({'points', 'comment'}) do
              for _, id in ipairs({'2026-11-23', '2026-W48', '2026-11'}) do periods[#periods + 1] = member.periodField(board, id) end
            end
            return member.read(KEYS[1], t[1], t[2], t[3], t[4], periods)
            """);

        var asked = (RedisResult[])(await read.RunAsync(db, [key], []))!;

        Assert.Equal(fields, asked.Select(r => r.IsNull ? "(missing)" : (string)r!));
    }

    [Fact]
    public async Task Floor_LoadsAsItIs()
    {
        var sha = await Factory.Redis.GetServers()[0].ScriptLoadAsync(Floor);
        Assert.NotEmpty(sha);
    }

    [GeneratedRegex(@"local WINDOW_SCALE, SEQ_TOP = (\d+), (\d+)")]
    private static partial Regex FloorConstants();

    [GeneratedRegex(@"local READ = \{([^}]*)\}")]
    private static partial Regex FloorRead();
}
