using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rewards.Tests.Infrastructure;
using StackExchange.Redis;

namespace Rewards.Tests.Features.Perks;

/// <summary>News reads go through the news index: the same items as a scan of every perk would find, at the cost of the visible ones.</summary>
public sealed class NewsIndexTests(RewardsApiFactory factory) : PerkApiTest(factory)
{
    private static readonly DateTimeOffset Now = RewardsApiFactory.DefaultNow;

    private async Task<JsonElement[]> NewsAsync(string url) => [.. (await GetJsonAsync(url)).GetProperty("news").EnumerateArray()];

    private static string[] Titles(JsonElement[] news) => [.. news.Select(n => n.GetProperty("title").GetString()!)];

    /// <summary>Calls of the commands that read a hash, over every primary (a cluster's too), from INFO commandstats.</summary>
    private static async Task<long> HashReadsAsync(IConnectionMultiplexer admin)
    {
        long calls = 0;
        foreach (var server in admin.GetServers().Where(s => !s.IsReplica))
        {
            foreach (var group in await server.InfoAsync("commandstats"))
            {
                foreach (var (name, value) in group)
                {
                    if (name is "cmdstat_hget" or "cmdstat_hmget" or "cmdstat_hgetall")
                    {
                        calls += long.Parse(value.Split(',')[0]["calls=".Length..]);
                    }
                }
            }
        }
        return calls;
    }

    [Fact]
    public async Task NewsReads_ReturnEarlyAndPublicNewsByLocale_WithoutReadingTheProgramsOtherPerks()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAsync(id, "insider", "share");
        await RecordAsync(id, "outsider", "share");
        await Client.PutAsJsonAsync($"/v1/programs/{id}/members/insider", new { locale = "fr-FR" });
        foreach (var batch in Enumerable.Range(0, 200).Chunk(4)) // each creation schedules a Hangfire job (synchronous Redis calls): a few at a time
        {
            await Task.WhenAll(batch.Select(i => CreatePerkAsync(id, new { kind = "offer", title = $"Offer {i}", offer = new { generateCodes = 1 },
                audience = new { type = "all" }, schedule = Later })));
        }
        var fr = new Dictionary<string, string> { ["default"] = "Out", ["fr"] = "Disponible" };
        await CreatePerkAsync(id, News("Public", Now.AddHours(-3), Now.AddHours(-2), Members("insider"), fr));
        var early = await CreatePerkAsync(id, News("Early", Now.AddHours(-1), Now.AddHours(1), Members("insider"), fr));
        var later = await CreatePerkAsync(id, News("Later", Now.AddHours(1), Now.AddHours(2), Members("insider")));
        await Job.GrantAsync(id, early, "r");
        await Job.GrantAsync(id, later, "r");
        await NewsAsync($"/v1/programs/{id}/news"); // scripts loaded, caches warm

        // INFO needs admin mode, which the API's own connection does not have.
        await using var admin = await ConnectionMultiplexer.ConnectAsync(Factory.Redis.Configuration + ",allowAdmin=true");
        var before = await HashReadsAsync(admin);
        var publicNews = await NewsAsync($"/v1/programs/{id}/news?locale=fr-CA");
        var insider = await NewsAsync($"/v1/programs/{id}/members/insider/news");
        var outsider = await NewsAsync($"/v1/programs/{id}/members/outsider/news");
        var reads = await HashReadsAsync(admin) - before;

        Assert.Equal(["Public"], Titles(publicNews));
        Assert.Equal("Disponible", publicNews[0].GetProperty("body").GetString());
        Assert.Equal("fr", publicNews[0].GetProperty("locale").GetString());
        Assert.Equal(["Early", "Public"], Titles(insider));
        Assert.Equal([true, false], insider.Select(n => n.GetProperty("earlyAccess").GetBoolean()));
        Assert.Equal("Disponible", insider[0].GetProperty("body").GetString());
        Assert.Equal(["Public"], Titles(outsider));
        Assert.Equal("Out", outsider[0].GetProperty("body").GetString());
        // A scan reads each of the 203 perks per request (600+ hash reads); through the index, the visible items and the members.
        Assert.True(reads < 40, $"{reads} hash reads for three news requests");
    }

    [Fact]
    public async Task News_IsNewestPublicFirst_Paged_AndLeavesTheFeedWhenDeleted()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAsync(id, "insider", "share");
        var oldest = await CreatePerkAsync(id, News("Oldest", Now.AddDays(-3), Now.AddDays(-3), Members("insider")));
        var newest = await CreatePerkAsync(id, News("Newest", Now.AddDays(-1), Now.AddDays(-1), Members("insider")));
        await CreatePerkAsync(id, News("Middle", Now.AddDays(-2), Now.AddDays(-2), Members("insider")));
        var soon = await CreatePerkAsync(id, News("Soon", Now.AddMinutes(-5), Now.AddDays(1), Members("insider")));
        await Job.GrantAsync(id, soon, "r");

        Assert.Equal(["Newest", "Middle", "Oldest"], Titles(await NewsAsync($"/v1/programs/{id}/news")));
        var page = await GetJsonAsync($"/v1/programs/{id}/news?limit=2");
        Assert.Equal(3, page.GetProperty("total").GetInt64());
        Assert.Equal(["Newest", "Middle"], Titles([.. page.GetProperty("news").EnumerateArray()]));
        Assert.Equal(["Oldest"], Titles(await NewsAsync($"/v1/programs/{id}/news?offset=2&limit=2")));
        Assert.Equal(["Soon", "Newest"], Titles(await NewsAsync($"/v1/programs/{id}/members/insider/news?limit=2")));
        var rest = await GetJsonAsync($"/v1/programs/{id}/members/insider/news?offset=2");
        Assert.Equal(4, rest.GetProperty("total").GetInt64());
        Assert.Equal(["Middle", "Oldest"], Titles([.. rest.GetProperty("news").EnumerateArray()]));

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/perks/{newest}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/perks/{soon}")).StatusCode);
        Assert.Equal(["Middle", "Oldest"], Titles(await NewsAsync($"/v1/programs/{id}/members/insider/news")));

        Factory.SetUtcNow(Now.AddDays(2)); // nothing newly public: the list stays
        Assert.Equal(["Middle", "Oldest"], Titles(await NewsAsync($"/v1/programs/{id}/news")));
        Assert.NotNull(oldest);
    }
}
