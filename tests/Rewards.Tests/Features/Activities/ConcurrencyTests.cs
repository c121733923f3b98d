using System.Net;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Activities;

public sealed class ConcurrencyTests(RewardsApiFactory factory) : ApiTest(factory)
{
    [Fact]
    public async Task FiveHundredConcurrentAwards_KeepBalanceEqualToLedger_AndNeverExceedCaps()
    {
        var types = new Dictionary<string, int> { ["review"] = 50, ["share"] = 10, ["vote"] = 2, ["comment"] = 5, ["checkin"] = 20 };
        var id = await CreateProgramAsync("{" + string.Join(",", types.Select(t => $"\"{t.Key}\": {{ \"points\": {t.Value}, \"dailyCap\": 20 }}")) + "}");

        var responses = await Task.WhenAll(Enumerable.Range(0, 500).Select(i =>
            PostActivityAsync(id, new { memberId = "hot-member", type = types.Keys.ElementAt(i % 5), targetId = $"t-{i}" })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var ledger = await GetLedgerAsync(id, "hot-member");
        Assert.Equal(500, ledger.Count);
        var member = await GetMemberAsync(id, "hot-member");
        Assert.Equal(ledger.Sum(e => e.GetProperty("points").GetInt64()), member.GetProperty("balance").GetInt64());
        foreach (var (type, points) in types)
        {
            var awarded = ledger.Count(e => e.GetProperty("kind").GetString() == "award" && e.GetProperty("type").GetString() == type);
            Assert.Equal(20, awarded); // the cap, exactly: reached and never exceeded
        }
        Assert.Equal(types.Values.Sum() * 20, member.GetProperty("balance").GetInt64());
    }
}
