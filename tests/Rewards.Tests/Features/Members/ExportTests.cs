using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Members;
using Rewards.Api.Features.Perks;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Members;

/// <summary>Right of access: one document with everything held about a member, for the brand to hand over.</summary>
public sealed class ExportTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private static readonly object Settings = new
    {
        rules = new { review = new { points = 50 }, share = new { points = 10 }, comment = new { points = 5, requiresApproval = true } },
        tiers = new[] { new { name = "Bronze", minLifetimePoints = 0 }, new { name = "Silver", minLifetimePoints = 100 } },
        badges = new[] { new { id = "first-review", name = "First review", when = new { activityType = "review", count = 1 } } },
    };

    [Fact]
    public async Task Export_HoldsProfile_ExplainedLedger_Perks_Standings_AndBadges_OfWhatTheMemberDid()
    {
        var id = await CreateProgramAsync(Settings);
        await Client.PutAsJsonAsync($"/v1/programs/{id}/members/dave", new { displayName = "Dave", locale = "fr-FR" });
        await RecordAsync(id, "alice", "review");
        await RecordAsync(id, "alice", "review");
        await RecordAsync(id, "alice", "review");
        await RecordAsync(id, "dave", "review", "post-1");
        await RecordAsync(id, "dave", "review", "post-2");
        await RecordAsync(id, "dave", "share", "video-9");
        var comment = await RecordAsync(id, "dave", "comment", "thread-3");
        await PostJsonAsync($"/v1/programs/{id}/activities/{comment.GetProperty("activityId").GetString()}/reject",
            new { reason = "off topic" }, HttpStatusCode.OK);
        var perk = await PostJsonAsync($"/v1/programs/{id}/perks", new
        {
            kind = "offer", title = "Thanks", offer = new { codes = new[] { "CODE-1" } },
            audience = new { type = "members", memberIds = new[] { "dave" } },
            schedule = new { type = "at", at = RewardsApiFactory.FarFuture },
        }, HttpStatusCode.Created);
        var perkId = perk.GetProperty("perk").GetProperty("perkId").GetString()!;
        await Factory.Services.GetRequiredService<PerkGrantJob>().GrantAsync(id, perkId, "run-1");
        await PostJsonAsync($"/v1/programs/{id}/members/dave/perks/{perkId}/claim", null, HttpStatusCode.OK);

        var export = await GetJsonAsync($"/v1/programs/{id}/members/dave/export");

        Assert.Equal(id, export.GetProperty("programId").GetString());
        var profile = export.GetProperty("profile");
        Assert.Equal(("dave", "Dave", "fr-FR", "active"), (profile.GetProperty("memberId").GetString(), profile.GetProperty("displayName").GetString(),
            profile.GetProperty("locale").GetString(), profile.GetProperty("status").GetString()));
        Assert.Equal((110, 110), (profile.GetProperty("balance").GetInt64(), profile.GetProperty("lifetimePoints").GetInt64()));
        Assert.Equal(RewardsApiFactory.DefaultNow, profile.GetProperty("createdAt").GetDateTimeOffset());
        var progress = profile.GetProperty("progress");
        Assert.Equal("Silver", progress.GetProperty("tier").GetString());
        Assert.Equal(["first-review"], progress.GetProperty("badges").EnumerateArray().Select(b => b.GetProperty("id").GetString()));
        Assert.Equal(1, progress.GetProperty("currentStreak").GetInt32());
        Assert.False(profile.GetProperty("flagged").GetBoolean());

        // The ledger is the ledger endpoint's, whole, with the same explanations.
        var ledger = export.GetProperty("ledger").EnumerateArray().ToList();
        Assert.Equal((await GetLedgerAsync(id, "dave")).Select(e => e.GetRawText()), ledger.Select(e => e.GetRawText()));
        // Newest first; each decision writes its own entry, then its badges, then its tier change (ledger.lua).
        Assert.Equal(["rejection", "pending", "award", "tier", "award", "tier", "badge", "award"], ledger.Select(e => e.GetProperty("kind").GetString()));
        Assert.Contains(ledger, e => e.GetProperty("description").GetString() == "No points for comment on 'thread-3': rejected by moderation (off topic).");

        var offer = Assert.Single(export.GetProperty("perks").EnumerateArray());
        Assert.Equal((perkId, "claimed", "CODE-1"), (offer.GetProperty("perkId").GetString(), offer.GetProperty("state").GetString(),
            offer.GetProperty("code").GetString()));

        // Alice has 150 points, dave 110: second on points in every window, first on shares, second on reviews.
        var standings = export.GetProperty("standings").EnumerateArray()
            .Select(s => $"{s.GetProperty("board").GetString()}:{s.GetProperty("window").GetString()}:{s.GetProperty("rank").GetInt64()}:{s.GetProperty("score").GetInt64()}")
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            ["points:all:2:110", "points:day:2:110", "points:month:2:110", "points:week:2:110",
             "review:all:2:100", "review:day:2:100", "review:month:2:100", "review:week:2:100",
             "share:all:1:10", "share:day:1:10", "share:month:1:10", "share:week:1:10"],
            standings);
    }

    [Fact]
    public async Task Export_ReadsTheLedgerInPages_AllOfIt()
    {
        var id = await CreateProgramAsync(new { rules = new { vote = new { points = 1 } } });
        // More entries than one server-side page: seeded straight into the ledger list, as a long history would be.
        var db = Factory.Redis.GetDatabase();
        await RecordAsync(id, "dave", "vote");
        var ledgerKey = Rewards.Api.Infrastructure.Redis.RedisKeys.Ledger(id, "dave");
        var batch = db.CreateBatch();
        var writes = Enumerable.Range(0, ExportMember.LedgerPageSize + 5).Select(i => batch.ListLeftPushAsync(ledgerKey,
            $"award|a-{i}|vote||1|0|{i + 2}|0||")).ToList();
        batch.Execute();
        await Task.WhenAll(writes);

        var export = await GetJsonAsync($"/v1/programs/{id}/members/dave/export");

        var ledger = export.GetProperty("ledger").EnumerateArray().ToList();
        Assert.Equal(ExportMember.LedgerPageSize + 6, ledger.Count);
        Assert.Equal(ledger.Count, ledger.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
        Assert.Equal(ExportMember.LedgerPageSize + 6, ledger[0].GetProperty("balance").GetInt64()); // newest first
    }

    [Fact]
    public async Task Export_IsNotFound_ForUnknownAndErasedMembers_AndIsTheBrandsToAskFor()
    {
        var id = await CreateProgramAsync(Settings);
        await RecordAsync(id, "dave", "review");
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/members/nobody/export"), HttpStatusCode.NotFound);

        var reader = await ClientOfProgramAsync(id, Scopes.Read);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync($"/v1/programs/{id}/members/dave/export")).StatusCode);
        var (brandId, brandSecret) = await CreateApiClientAsync(id, Scopes.Activities);
        var brand = Factory.CreateClient(await Factory.TokenAsync(brandId, brandSecret));
        Assert.Equal(HttpStatusCode.OK, (await brand.GetAsync($"/v1/programs/{id}/members/dave/export")).StatusCode);
        // The member's own token reads their profile and ledger, but the export is the brand's to hand over.
        var (status, token) = await Factory.RequestTokenAsync(brandId, brandSecret, grantType: "urn:rewards:grant-type:member", memberId: "dave");
        Assert.Equal(HttpStatusCode.OK, status);
        var member = Factory.CreateClient(token.GetProperty("access_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync($"/v1/programs/{id}/members/dave/ledger")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync($"/v1/programs/{id}/members/dave/export")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/members/dave")).StatusCode);
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/members/dave/export"), HttpStatusCode.NotFound);
    }
}
