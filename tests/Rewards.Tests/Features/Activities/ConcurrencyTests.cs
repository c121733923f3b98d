using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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

    [Fact]
    public async Task BrandBackend_WithItsProgramClientToken_AwardsConcurrently_Moderates_AndStaysInItsProgram()
    {
        // How brands call the API: a program client's token with rewards.activities (and rewards.read), not the operator's.
        var id = await CreateProgramAsync("""{ "review": { "points": 50, "dailyCap": 5 }, "share": { "points": 10 } }""");
        var other = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        using var brand = await ClientOfProgramAsync(id, "rewards.activities", "rewards.read");

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{id}/activities")
            {
                Content = JsonContent.Create(new { memberId = $"m-{i % 10}", type = i / 10 % 2 == 0 ? "review" : "share", targetId = $"t-{i}" }),
            };
            request.Headers.Add("Idempotency-Key", $"brand-{i}");
            return brand.SendAsync(request);
        }));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));

        // Reverse one of m-0's awarded reviews (requests 0, 20, 40, ...; which five got past the cap depends on arrival).
        var m0Reviews = await Task.WhenAll(Enumerable.Range(0, 10).Select(k => responses[k * 20].Content.ReadAsStringAsync()));
        var awardedReview = m0Reviews.Select(body => JsonDocument.Parse(body).RootElement)
            .First(r => r.GetProperty("status").GetString() == "awarded");
        var reversal = await brand.PostAsJsonAsync($"/v1/programs/{id}/activities/{awardedReview.GetProperty("activityId").GetString()}/reverse",
            new { reason = "duplicate review" });
        Assert.Equal(HttpStatusCode.OK, reversal.StatusCode);

        for (var m = 0; m < 10; m++)
        {
            var member = JsonDocument.Parse(await brand.GetStringAsync($"/v1/programs/{id}/members/m-{m}")).RootElement;
            var ledger = JsonDocument.Parse(await brand.GetStringAsync($"/v1/programs/{id}/members/m-{m}/ledger?limit=100")).RootElement;
            var entries = ledger.GetProperty("entries").EnumerateArray().ToList();
            Assert.Equal(entries.Sum(e => e.GetProperty("points").GetInt64()), member.GetProperty("balance").GetInt64());
            // 10 reviews each, capped at 5 a day (a reversal does not give the slot back); 10 shares each.
            var reviews = entries.Count(e => e.GetProperty("kind").GetString() == "award" && e.GetProperty("type").GetString() == "review");
            Assert.Equal(5, reviews);
        }
        Assert.Equal(5 * 50 + 10 * 10 - 50, JsonDocument.Parse(await brand.GetStringAsync($"/v1/programs/{id}/members/m-0")).RootElement
            .GetProperty("balance").GetInt64());

        // The same token on another program: as if that program did not exist.
        var elsewhere = await brand.PostAsJsonAsync($"/v1/programs/{other}/activities", new { memberId = "m-0", type = "review" });
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
    }
}
