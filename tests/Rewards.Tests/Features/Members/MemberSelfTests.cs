using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Perks;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Members;

/// <summary>`me` in place of the member id: the member token's own member on every member route; refused with any other token.</summary>
public sealed class MemberSelfTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private const string Rules = """{ "review": { "points": 50 }, "share": { "points": 10 } }""";

    private async Task<(string Program, HttpClient Member, string WriterId, string WriterSecret)> ProgramWithMemberAsync()
    {
        var program = await CreateProgramAsync(Rules);
        await RecordAsync(program, "m-1", "review");
        await RecordAsync(program, "m-2", "review");
        await RecordAsync(program, "m-2", "share");
        var (id, secret) = await CreateApiClientAsync(program, Scopes.Activities);
        var member = Factory.CreateClient(await Factory.TokenAsync(id, secret, grantType: MemberGrant.Type, memberId: "m-1"));
        return (program, member, id, secret);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri}: " +
            $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    [Fact]
    public async Task Me_UnderAMemberToken_IsThatMember_OnProfileLedgerAndLeaderboardStanding()
    {
        var (program, member, _, _) = await ProgramWithMemberAsync();

        var profile = await JsonAsync(await member.GetAsync($"/v1/programs/{program}/members/me"));
        var ledger = await JsonAsync(await member.GetAsync($"/v1/programs/{program}/members/me/ledger"));
        var standing = await JsonAsync(await member.GetAsync($"/v1/programs/{program}/leaderboards/points/members/me?around=0"));
        var reviews = await JsonAsync(await member.GetAsync($"/v1/programs/{program}/leaderboards/review/members/me?window=week"));

        Assert.Equal("m-1", profile.GetProperty("memberId").GetString());
        Assert.Equal(50, profile.GetProperty("balance").GetInt64());
        Assert.Equal(50, Assert.Single(ledger.GetProperty("entries").EnumerateArray()).GetProperty("points").GetInt64());
        Assert.Equal(("m-1", 2L, 50L), (standing.GetProperty("memberId").GetString(), standing.GetProperty("rank").GetInt64(),
            standing.GetProperty("score").GetInt64()));
        Assert.Equal("m-1", reviews.GetProperty("memberId").GetString());
    }

    [Fact]
    public async Task Me_UnderAMemberToken_IsThatMember_OnPerksClaimRsvpAndNews()
    {
        var (program, member, _, _) = await ProgramWithMemberAsync();
        var job = Factory.Services.GetRequiredService<PerkGrantJob>();
        var later = new { type = "at", at = RewardsApiFactory.FarFuture };
        var audience = new { type = "members", memberIds = new[] { "m-1", "m-2" } };
        var offer = await CreatePerkAsync(program, new { kind = "offer", title = "20% off", offer = new { codes = new[] { "A-1", "A-2" } },
            audience, schedule = later });
        var @event = await CreatePerkAsync(program, new { kind = "event", title = "Preview",
            @event = new { venue = "Paris store", startsAt = RewardsApiFactory.DefaultNow.AddDays(10), capacity = 5 }, audience, schedule = later });
        var news = await CreatePerkAsync(program, new { kind = "news", title = "Soon", news = new { body = new { @default = "New collection" },
            earlyAt = Factory.Clock.GetUtcNow(), publicAt = Factory.Clock.GetUtcNow().AddDays(1) }, audience = new { type = "members", memberIds = new[] { "m-1" } },
            schedule = later });
        foreach (var perk in new[] { offer, @event, news })
        {
            await job.GrantAsync(program, perk, $"run-{perk}");
        }

        var inbox = await JsonAsync(await member.GetAsync($"/v1/programs/{program}/members/me/perks"));
        var code = await JsonAsync(await member.PostAsync($"/v1/programs/{program}/members/me/perks/{offer}/claim", null));
        var rsvp = await JsonAsync(await member.PostAsJsonAsync($"/v1/programs/{program}/members/me/perks/{@event}/rsvp", new { answer = "accept" }));
        var early = await JsonAsync(await member.GetAsync($"/v1/programs/{program}/members/me/news"));

        Assert.Equal(3, inbox.GetProperty("perks").GetArrayLength());
        Assert.StartsWith("A-", code.GetProperty("code").GetString());
        Assert.Equal("accepted", rsvp.GetProperty("state").GetString());
        Assert.Equal("New collection", Assert.Single(early.GetProperty("news").EnumerateArray()).GetProperty("body").GetString());
        // The claim and the RSVP were m-1's, nobody else's.
        var ofM1 = (await GetJsonAsync($"/v1/programs/{program}/members/m-1/perks")).GetProperty("perks").EnumerateArray()
            .ToDictionary(p => p.GetProperty("perkId").GetString()!, p => p.GetProperty("state").GetString());
        var ofM2 = (await GetJsonAsync($"/v1/programs/{program}/members/m-2/perks")).GetProperty("perks").EnumerateArray()
            .ToDictionary(p => p.GetProperty("perkId").GetString()!, p => p.GetProperty("state").GetString());
        Assert.Equal(("claimed", "accepted"), (ofM1[offer], ofM1[@event]));
        Assert.Equal(("new", "invited"), (ofM2[offer], ofM2[@event]));
    }

    [Fact]
    public async Task Me_DoesNotWidenAMemberTokensRights()
    {
        var (program, member, _, _) = await ProgramWithMemberAsync();

        await AssertProblemAsync(await member.PutAsJsonAsync($"/v1/programs/{program}/members/me", new { displayName = "x" }), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await member.GetAsync($"/v1/programs/{program}/members/me/export"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await member.DeleteAsync($"/v1/programs/{program}/members/me"), HttpStatusCode.Forbidden);
        using var anonymous = Factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/v1/programs/{program}/members/me")).StatusCode);
    }

    [Fact]
    public async Task Me_WithAClientToken_Is400_SayingAMemberTokenIsNeeded()
    {
        var (program, _, writerId, writerSecret) = await ProgramWithMemberAsync();
        using var reader = await ClientOfProgramAsync(program, Scopes.Read);
        using var writer = Factory.CreateClient(await Factory.TokenAsync(writerId, writerSecret));

        foreach (var response in new[]
        {
            await reader.GetAsync($"/v1/programs/{program}/members/me"),
            await reader.GetAsync($"/v1/programs/{program}/members/me/ledger"),
            await reader.GetAsync($"/v1/programs/{program}/leaderboards/points/members/me"),
            await Client.GetAsync($"/v1/programs/{program}/members/me/perks"), // the operator's token
            await writer.PostAsync($"/v1/programs/{program}/members/me/suspend", null),
        })
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.RequestMessage!.RequestUri}: {(int)response.StatusCode} {body}");
            Assert.Contains("member token", JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString());
        }
        Assert.Equal("active", (await GetMemberAsync(program, "m-1")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Me_IsNoMemberIdAnActivityMayCreate()
    {
        var program = await CreateProgramAsync(Rules);

        var response = await PostActivityAsync(program, new { memberId = "me", type = "review" });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    private async Task<string> CreatePerkAsync(string programId, object body) =>
        (await PostJsonAsync($"/v1/programs/{programId}/perks", body, HttpStatusCode.Created)).GetProperty("perk").GetProperty("perkId").GetString()!;
}
