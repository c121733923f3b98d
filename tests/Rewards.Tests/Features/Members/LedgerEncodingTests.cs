using Rewards.Api.Features.Members;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Members;

/// <summary>
/// ledger.append is what every other write path (spending, lots, events) calls: whatever its text fields and extras hold,
/// the entry reads back as written, and the API shows it with an ordinal id.
/// </summary>
public sealed class LedgerEncodingTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private static readonly RedisScript Append = RedisScript.FromSource("ledger-append-driver", """
        --!include ledger
        ledger.append(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), 0, tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8],
          {'lots', ARGV[9], 'client', ARGV[10]})
        ledger.append(KEYS[1], 'award', 'plain', 'share', '', 1, 0, 1, 0, '', nil)
        return 1
        """);

    [Fact]
    public async Task Append_WithSeparatorsInEveryTextField_ReadsBackAsWritten()
    {
        var id = await CreateProgramAsync("""{ "share": { "points": 1 } }""");
        await RecordAsync(id, "zoe", "share");
        var db = Factory.Redis.GetDatabase();
        await Append.RunAsync(db, [RedisKeys.Ledger(id, "zoe")],
            ["reversal", "ref|with,all=of %them", "share", "t|,=%", -25, -24, 1_764_500_000_123, "why | not, a=b %20 — ok", "20261130:50,20261201:20", "crm=x|y"]);

        var entries = await LedgerStorage.ReadAsync(db, id, "zoe");

        Assert.Equal(["e3", "e2", "e1"], entries.Select(e => e.Id));
        var e = entries[1];
        Assert.Equal(("reversal", "ref|with,all=of %them", "share", "t|,=%"), (e.Kind, e.Ref, e.Type, e.Target));
        Assert.Equal((-25L, 0L, -24L, 1_764_500_000_123L), (e.Points, e.Pending, e.Balance, e.At));
        Assert.Equal("why | not, a=b %20 — ok", e.Reason);
        Assert.Equal("20261130:50,20261201:20", e.Extras["lots"]);
        Assert.Equal("crm=x|y", e.Extras["client"]);
        Assert.Empty(entries[0].Extras);

        var ledger = await GetLedgerAsync(id, "zoe");
        Assert.Equal(["e3", "e2", "e1"], ledger.Select(x => x.GetProperty("id").GetString()));
        Assert.Equal("t|,=%", ledger[1].GetProperty("targetId").GetString());
    }
}
