using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Perks;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Perks;

/// <summary>Deleting a perk removes everything it owned; members' grants of it go in a background job.</summary>
public sealed class PerkDeletionTests(RewardsApiFactory factory) : PerkApiTest(factory)
{
    private PerkCleanupJob Cleanup => Factory.Services.GetRequiredService<PerkCleanupJob>();

    /// <summary>Every key of the program that names the perk (the program's keys all start with its prefix, RedisKeys).</summary>
    private async Task<List<string>> KeysOfAsync(string programId, string perkId) =>
        [.. (await Factory.KeysAsync($"rw:{{{programId}}}:*")).Where(k => k.Contains(perkId, StringComparison.Ordinal))];

    [Fact]
    public async Task DeletedPerks_LeaveNoKeyBehind_AndLeaveMembersInboxes()
    {
        var id = await CreateProgramAsync(Rules);
        var members = new[] { "a", "b", "c" };
        foreach (var m in members)
        {
            await RecordAsync(id, m, "share");
        }
        var now = RewardsApiFactory.DefaultNow;
        var offer = await CreatePerkAsync(id, new { kind = "offer", title = "Codes", offer = new { codes = new[] { "D1", "D2", "D3", "D4" } },
            audience = Members(members), schedule = Later });
        var @event = await CreatePerkAsync(id, new { kind = "event", title = "Preview",
            @event = new { venue = "Paris", startsAt = now.AddDays(5), capacity = 1 }, audience = Members(members), schedule = Later });
        var news = await CreatePerkAsync(id, News("Soon", now.AddHours(-1), now.AddHours(1), Members(members)));
        var cron = await CreatePerkAsync(id, new { kind = "offer", title = "Weekly", offer = new { generateCodes = 3 },
            audience = Members(members), schedule = new { type = "cron", cron = "0 9 * * MON", timeZone = "Europe/Paris" } });
        var kept = await CreatePerkAsync(id, new { kind = "offer", title = "Kept", offer = new { codes = new[] { "K1" } }, audience = Members(members), schedule = Later });
        foreach (var perk in new[] { offer, @event, news, cron, kept })
        {
            await Job.GrantAsync(id, perk, "run-1");
        }
        await Job.GrantAsync(id, offer, "run-2");
        await PostJsonAsync($"/v1/programs/{id}/members/a/perks/{offer}/claim", null, HttpStatusCode.OK);
        await PostJsonAsync($"/v1/programs/{id}/members/a/perks/{@event}/rsvp", new { answer = "accept" }, HttpStatusCode.OK);
        await PostJsonAsync($"/v1/programs/{id}/members/b/perks/{@event}/rsvp", new { answer = "accept" }, HttpStatusCode.OK); // waitlisted
        await PostJsonAsync($"/v1/programs/{id}/members/c/perks/{@event}/rsvp", new { answer = "decline" }, HttpStatusCode.OK);
        foreach (var perk in new[] { offer, @event, news, cron })
        {
            Assert.NotEmpty(await KeysOfAsync(id, perk)); // the perk's hash, pool, RSVP sets, runs and audience snapshots
        }

        foreach (var perk in new[] { offer, @event, news, cron })
        {
            Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/perks/{perk}")).StatusCode);
            Assert.Empty(await KeysOfAsync(id, perk));
            await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/perks/{perk}"), HttpStatusCode.NotFound);
            await AssertProblemAsync(await Client.DeleteAsync($"/v1/programs/{id}/perks/{perk}"), HttpStatusCode.NotFound);
        }
        var db = Factory.Redis.GetDatabase();
        foreach (var index in new[] { RedisKeys.PerkIndex(id), RedisKeys.NewsByPublicAt(id), RedisKeys.NewsByEarlyAt(id) })
        {
            foreach (var perk in new[] { offer, @event, news, cron })
            {
                Assert.Null(await db.SortedSetScoreAsync(index, perk));
            }
        }
        Assert.Equal(kept, Assert.Single((await GetJsonAsync($"/v1/programs/{id}/perks")).GetProperty("perks").EnumerateArray())
            .GetProperty("perk").GetProperty("perkId").GetString());

        // Members' grants, claimed code included, leave with the perk (Hangfire runs the job; run here to be deterministic).
        foreach (var perk in new[] { offer, @event, news, cron })
        {
            await Cleanup.RunAsync(id, perk, CancellationToken.None);
        }
        foreach (var m in members)
        {
            Assert.Equal(kept, Assert.Single(await InboxAsync(id, m)).GetProperty("perkId").GetString());
            var grants = await db.HashGetAllAsync(RedisKeys.MemberGrants(id, m));
            Assert.Equal(kept, Assert.Single(grants).Name.ToString());
            Assert.Equal(kept, Assert.Single(await db.SortedSetRangeByRankAsync(RedisKeys.MemberInbox(id, m))).ToString());
        }
        Assert.Equal(1, (await GetJsonAsync($"/v1/programs/{id}/perks/{kept}")).GetProperty("codesLeft").GetInt64()); // other perks untouched
        Assert.NotEmpty(await KeysOfAsync(id, kept));
    }

    [Fact]
    public async Task APerkDeletedDuringAGrantRun_GrantsNobodyMore_AndTheRunLeavesNoKey()
    {
        var id = await CreateProgramAsync(Rules);
        await SeedMembersAsync(id, 2500);
        var perkId = await CreatePerkAsync(id, News("Preview", RewardsApiFactory.DefaultNow, RewardsApiFactory.DefaultNow.AddDays(1), new { type = "all" }));
        var partial = await Job.GrantAsync(id, perkId, "run-1", maxChunks: 1); // a run between two chunks
        Assert.Equal(1000, partial!.Granted);

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/perks/{perkId}")).StatusCode);
        var resumed = await Job.GrantAsync(id, perkId, "run-1");
        await Cleanup.RunAsync(id, perkId, CancellationToken.None);

        Assert.Null(resumed);
        Assert.Empty(await KeysOfAsync(id, perkId));
        var db = Factory.Redis.GetDatabase();
        var grants = await Task.WhenAll(Enumerable.Range(0, 2500).Select(i => db.HashExistsAsync(RedisKeys.MemberGrants(id, $"s-{i}"), perkId)));
        Assert.DoesNotContain(true, grants);
    }

    /// <summary>Data written before the news index and full deletion: the start-up upgrade brings it up to date.</summary>
    [Fact]
    public async Task TheUpgrade_IndexesOldNews_AndFinishesOldDeletions()
    {
        var id = await CreateProgramAsync(Rules);
        var now = RewardsApiFactory.DefaultNow;
        var news = await CreatePerkAsync(id, News("Old news", now.AddDays(-2), now.AddDays(-1), new { type = "all" }));
        var offer = await CreatePerkAsync(id, new { kind = "offer", title = "Old offer", offer = new { codes = new[] { "OLD-1" } },
            audience = new { type = "all" }, schedule = Later });
        var db = Factory.Redis.GetDatabase();
        // As the code before this change left them: no news index, and a deletion that only set the status.
        await db.KeyDeleteAsync([RedisKeys.NewsByPublicAt(id), RedisKeys.NewsByEarlyAt(id)]);
        await db.HashSetAsync(RedisKeys.Perk(id, offer), "status", "deleted");
        Assert.Empty((await GetJsonAsync($"/v1/programs/{id}/news")).GetProperty("news").EnumerateArray());

        var upgraded = await Factory.Services.GetRequiredService<PerkIndexUpgrade>().UpgradeAsync(id);

        Assert.Equal((1, 1), upgraded);
        Assert.Equal(news, Assert.Single((await GetJsonAsync($"/v1/programs/{id}/news")).GetProperty("news").EnumerateArray())
            .GetProperty("perkId").GetString());
        Assert.Empty(await KeysOfAsync(id, offer));
        Assert.Equal(1, (await GetJsonAsync($"/v1/programs/{id}/perks")).GetProperty("total").GetInt64());
        Assert.Equal((1, 0), await Factory.Services.GetRequiredService<PerkIndexUpgrade>().UpgradeAsync(id)); // again: nothing more to do
    }
}
