using System.Net;
using System.Text.Json;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Perks;

/// <summary>An offer's codes with their state: free, or claimed by whom and when; as JSON pages and as a CSV stream.</summary>
public sealed class OfferCodeListTests(RewardsApiFactory factory) : PerkApiTest(factory)
{
    private async Task<(string ProgramId, string PerkId, string AliceCode, string BobCode)> OfferWithTwoClaimsAsync()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAsync(id, "alice", "share");
        await RecordAsync(id, "bob", "share");
        var perkId = await CreatePerkAsync(id, new { kind = "offer", title = "Codes", offer = new { codes = new[] { "C1", "C2", "C3", "C4" } },
            audience = Members("alice", "bob"), schedule = Later });
        await Job.GrantAsync(id, perkId, "r");
        var alice = (await PostJsonAsync($"/v1/programs/{id}/members/alice/perks/{perkId}/claim", null, HttpStatusCode.OK)).GetProperty("code").GetString()!;
        Factory.Clock.Advance(TimeSpan.FromSeconds(5));
        var bob = (await PostJsonAsync($"/v1/programs/{id}/members/bob/perks/{perkId}/claim", null, HttpStatusCode.OK)).GetProperty("code").GetString()!;
        return (id, perkId, alice, bob);
    }

    [Fact]
    public async Task Codes_AreListed_ClaimedFirstWithWhoAndWhen_ThenFree_Paged()
    {
        var (id, perkId, alice, bob) = await OfferWithTwoClaimsAsync();
        var url = $"/v1/programs/{id}/perks/{perkId}/codes";

        var all = await GetJsonAsync(url);
        var codes = all.GetProperty("codes").EnumerateArray().ToList();

        Assert.Equal(4, all.GetProperty("total").GetInt64());
        Assert.Equal([alice, bob], codes.Take(2).Select(c => c.GetProperty("code").GetString()));
        Assert.Equal(["alice", "bob"], codes.Take(2).Select(c => c.GetProperty("memberId").GetString()));
        Assert.Equal(RewardsApiFactory.DefaultNow, codes[0].GetProperty("claimedAt").GetDateTimeOffset());
        Assert.Equal(RewardsApiFactory.DefaultNow.AddSeconds(5), codes[1].GetProperty("claimedAt").GetDateTimeOffset());
        Assert.All(codes.Take(2), c => Assert.Equal("claimed", c.GetProperty("state").GetString()));
        Assert.All(codes.Skip(2), c => Assert.Equal("free", c.GetProperty("state").GetString()));
        Assert.Equal(new[] { "C1", "C2", "C3", "C4" }.Except([alice, bob]).Order(), codes.Skip(2).Select(c => c.GetProperty("code").GetString()).Order());

        var nextFree = codes[2].GetProperty("code").GetString();

        var page = await GetJsonAsync($"{url}?offset=1&limit=2");
        Assert.Equal([bob, nextFree], page.GetProperty("codes").EnumerateArray().Select(c => c.GetProperty("code").GetString()));
        var free = await GetJsonAsync($"{url}?state=free");
        Assert.Equal(2, free.GetProperty("total").GetInt64());
        Assert.Equal(nextFree, free.GetProperty("codes")[0].GetProperty("code").GetString());
        var claimed = await GetJsonAsync($"{url}?state=claimed&offset=1");
        Assert.Equal(2, claimed.GetProperty("total").GetInt64());
        Assert.Equal([bob], claimed.GetProperty("codes").EnumerateArray().Select(c => c.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task Codes_StreamAsCsv_WithFormatOrAccept()
    {
        var (id, perkId, alice, bob) = await OfferWithTwoClaimsAsync();
        var url = $"/v1/programs/{id}/perks/{perkId}/codes";

        var byFormat = await Client.GetAsync($"{url}?format=csv");
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/csv");
        var byAccept = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, byFormat.StatusCode);
        Assert.Equal("text/csv", byFormat.Content.Headers.ContentType?.MediaType);
        var lines = (await byFormat.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("code,state,memberId,claimedAt", lines[0]);
        Assert.Equal($"{alice},claimed,alice,2026-11-18T10:00:00.000Z", lines[1]);
        Assert.Equal($"{bob},claimed,bob,2026-11-18T10:00:05.000Z", lines[2]);
        Assert.Equal(5, lines.Length);
        Assert.All(lines[3..], l => Assert.EndsWith(",free,,", l));
        Assert.Equal(await byFormat.Content.ReadAsStringAsync(), await byAccept.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ErasedMembers_LeaveTheList_AndDeletedOffersHaveNone()
    {
        var (id, perkId, alice, _) = await OfferWithTwoClaimsAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/members/alice")).StatusCode);

        var codes = await GetJsonAsync($"/v1/programs/{id}/perks/{perkId}/codes");
        Assert.Equal(3, codes.GetProperty("total").GetInt64());
        Assert.DoesNotContain(codes.GetProperty("codes").EnumerateArray(), c => c.TryGetProperty("memberId", out var m) && m.GetString() == "alice");
        Assert.DoesNotContain(alice, (await Client.GetStringAsync($"/v1/programs/{id}/perks/{perkId}/codes?format=csv")));

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/perks/{perkId}")).StatusCode);
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/perks/{perkId}/codes"), HttpStatusCode.NotFound);
        Assert.False(await Factory.Redis.GetDatabase().KeyExistsAsync($"rw:{{{id}}}:perk:{perkId}:claims"));
    }

    [Theory]
    [InlineData("state=used")]
    [InlineData("format=xml")]
    [InlineData("limit=101")]
    public async Task BadQueries_AreRefused(string query)
    {
        var (id, perkId, _, _) = await OfferWithTwoClaimsAsync();
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/perks/{perkId}/codes?{query}"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Codes_NeedThePerksScope_AndBelongToOffers()
    {
        var (id, perkId, _, _) = await OfferWithTwoClaimsAsync();
        var reader = await ClientOfProgramAsync(id, Scopes.Read, Scopes.Activities);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync($"/v1/programs/{id}/perks/{perkId}/codes")).StatusCode);
        var marketer = await ClientOfProgramAsync(id, Scopes.Perks);
        Assert.Equal(HttpStatusCode.OK, (await marketer.GetAsync($"/v1/programs/{id}/perks/{perkId}/codes")).StatusCode);

        var news = await CreatePerkAsync(id, News("Soon", RewardsApiFactory.FarFuture, RewardsApiFactory.FarFuture.AddDays(1), new { type = "all" }));
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/perks/{news}/codes"), HttpStatusCode.NotFound);
    }
}
