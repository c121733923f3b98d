using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Members;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Tests.Infrastructure;
using StackExchange.Redis;

namespace Rewards.Tests.Features.Members;

/// <summary>
/// Ledgers written before ledger lists (a stream per member, programs without the layout flag) keep working: pages, ids and
/// cursors are the same before and after the migration, whether it happens lazily (a read, an award, an erasure) or by
/// LedgerMigrationJob, and awards during the migration lose nothing.
/// </summary>
public sealed class LedgerMigrationTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private static readonly object Settings = new
    {
        rules = new
        {
            share = new { points = 10 }, review = new { points = 30, requiresApproval = true },
        },
        tiers = new[] { new { name = "Bronze", minLifetimePoints = 20 }, new { name = "Silver", minLifetimePoints = 60 } },
        badges = new[] { new { id = "sharer", name = "Sharer", when = new { activityType = "share", count = 3 } } },
    };

    private IDatabase Db => Factory.Redis.GetDatabase();

    /// <summary>A history with every kind of entry: awards, a badge, tier rises and a drop, pending, approval, rejection, reversal.</summary>
    private async Task WriteHistoryAsync(string programId, string memberId, int shares)
    {
        var first = await RecordAsync(programId, memberId, "share", "odd | target, a=b %41");
        for (var i = 1; i < shares; i++)
        {
            await RecordAsync(programId, memberId, "share", $"post-{i}");
        }
        var review = (await RecordAsync(programId, memberId, "review", "r-1")).GetProperty("activityId").GetString();
        await PostJsonAsync($"/v1/programs/{programId}/activities/{review}/approve", null, HttpStatusCode.OK);
        var rejected = (await RecordAsync(programId, memberId, "review", "r-2")).GetProperty("activityId").GetString();
        await PostJsonAsync($"/v1/programs/{programId}/activities/{rejected}/reject", new { reason = "off topic | see rule 4, a=b" }, HttpStatusCode.OK);
        await PostJsonAsync($"/v1/programs/{programId}/activities/{first.GetProperty("activityId").GetString()}/reverse",
            new { reason = "duplicate" }, HttpStatusCode.OK);
    }

    /// <summary>The ledger pages as the API answers them, following nextCursor from <paramref name="cursor"/>.</summary>
    private async Task<List<(string[] Entries, string? Next)>> PagesAsync(string programId, string memberId, int limit, string? cursor = null)
    {
        var pages = new List<(string[], string?)>();
        do
        {
            var page = await GetJsonAsync($"/v1/programs/{programId}/members/{memberId}/ledger?limit={limit}" + (cursor is null ? "" : $"&cursor={cursor}"));
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
            pages.Add(([.. page.GetProperty("entries").EnumerateArray().Select(e => e.GetRawText())], cursor));
        } while (cursor is not null);
        return pages;
    }

    private static string WithoutId(string entry)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(entry)!.AsObject();
        node.Remove("id");
        return node.ToJsonString();
    }

    [Fact]
    public async Task LedgerPagesIdsAndCursors_AreTheSame_BeforeAndAfterMigration_AndOldCursorsKeepWorking()
    {
        var id = await CreateProgramAsync(Settings);
        await WriteHistoryAsync(id, "ann", 12);
        var asLists = await PagesAsync(id, "ann", 5);
        var streamIds = await LedgerStorage.ToLegacyStreamAsync(Db, id, "ann");
        await LedgerStorage.MarkUnmigratedAsync(Db, id);

        // Before: the former API's pages, read straight from the stream (ids and cursors are stream ids, newest first).
        var stream = RedisKeys.LegacyLedger(id, "ann");
        var before = new List<string[]>();
        var from = "+";
        while (true)
        {
            var entries = await Db.StreamRangeAsync(stream, "-", from, count: 6, messageOrder: Order.Descending);
            before.Add([.. entries.Take(5).Select(e => (string)e.Id!)]);
            if (entries.Length <= 5) break;
            from = $"({entries[4].Id}";
        }
        var oldCursor = streamIds[^8]; // a cursor a client kept from a page read before the migration

        // The first read migrates the member (one script run); its pages equal the former ones, entry for entry.
        var after = await PagesAsync(id, "ann", 5);
        Assert.False(await Db.KeyExistsAsync(stream));
        Assert.Equal(before, after.Select(p => p.Entries.Select(e => JsonDocument.Parse(e).RootElement.GetProperty("id").GetString()!).ToArray()));
        Assert.Equal(before.Select((p, i) => i < before.Count - 1 ? p[^1] : null), after.Select(p => p.Next));
        Assert.Equal(asLists.Select(p => p.Entries.Select(WithoutId)), after.Select(p => p.Entries.Select(WithoutId)));
        static IEnumerable<string> Flat(List<(string[] Entries, string? Next)> pages) => pages.Select(p => string.Join('\n', p.Entries) + "|" + p.Next);
        Assert.Equal(Flat(after), Flat(await PagesAsync(id, "ann", 5))); // and again, read from the list only
        var fromOldCursor = await PagesAsync(id, "ann", 5, oldCursor);
        Assert.Equal(streamIds[..^8].Reverse(), fromOldCursor.SelectMany(p => p.Entries).Select(e => JsonDocument.Parse(e).RootElement.GetProperty("id").GetString()));

        // New entries go on top with ordinal ids; the migrated ones keep theirs.
        await RecordAsync(id, "ann", "share", "after");
        var ledger = await GetLedgerAsync(id, "ann");
        Assert.Equal($"e{streamIds.Length + 1}", ledger[0].GetProperty("id").GetString());
        Assert.Equal(streamIds.Reverse(), ledger.Skip(1).Select(e => e.GetProperty("id").GetString()));
        var page = await GetJsonAsync($"/v1/programs/{id}/members/ann/ledger?limit=1");
        Assert.Equal(streamIds[^1], (await GetJsonAsync($"/v1/programs/{id}/members/ann/ledger?limit=1&cursor={page.GetProperty("nextCursor").GetString()}"))
            .GetProperty("entries")[0].GetProperty("id").GetString());
        Assert.Equal(ledger.Sum(e => e.GetProperty("points").GetInt64()), (await GetMemberAsync(id, "ann")).GetProperty("balance").GetInt64());
        // Text with the encoding's separators comes back as written.
        Assert.Contains(ledger, e => e.TryGetProperty("targetId", out var t) && t.GetString() == "odd | target, a=b %41");
        Assert.Contains(ledger, e => e.TryGetProperty("reason", out var r) && r.GetString() == "off topic | see rule 4, a=b");
    }

    [Fact]
    public async Task MigrationJob_MovesEveryLedger_DatesDecidedActivities_AndMarksTheProgram()
    {
        var id = await CreateProgramAsync(Settings);
        var members = new[] { "bo", "cy", "di" };
        foreach (var m in members)
        {
            await WriteHistoryAsync(id, m, 4);
        }
        var pending = (await RecordAsync(id, "bo", "review", "r-9")).GetProperty("activityId").GetString()!;
        var expected = new Dictionary<string, string[]>();
        foreach (var m in members)
        {
            var ids = await LedgerStorage.ToLegacyStreamAsync(Db, id, m);
            expected[m] = [.. (await GetLedgerRawAsync(id, m, ids))];
        }
        await LedgerStorage.MarkUnmigratedAsync(Db, id);
        // Activities as the former layout left them: no expiry; one recorded long ago.
        var activityKeys = (await Factory.KeysAsync(RedisKeys.Activity(id, "*").ToString())).ToArray();
        foreach (var key in activityKeys)
        {
            await Db.KeyPersistAsync(key);
        }
        var ancient = activityKeys.First(k => !k.EndsWith(pending, StringComparison.Ordinal));
        await Db.HashSetAsync(ancient, "recordedAt", DateTimeOffset.UtcNow.AddDays(-200).ToUnixTimeMilliseconds());
        await Db.HashDeleteAsync(ancient, "moderatedAt");

        var job = Factory.Services.GetRequiredService<LedgerMigrationJob>();
        var (ledgers, details) = await job.MigrateAsync(id);

        Assert.Equal(3, ledgers);
        Assert.Equal(activityKeys.Length - 1, details); // all but the pending one
        Assert.Equal("2", (string?)await Db.HashGetAsync(RedisKeys.Program(id), "layout"));
        foreach (var m in members)
        {
            Assert.False(await Db.KeyExistsAsync(RedisKeys.LegacyLedger(id, m)));
            Assert.Equal(expected[m], (await LedgerStorage.ReadAsync(Db, id, m)).Select(Accounting));
        }
        Assert.Null(await Db.KeyTimeToLiveAsync(RedisKeys.Activity(id, pending)));
        Assert.False(await Db.KeyExistsAsync(ancient)); // recorded 200 days ago: past its 90 days, expired at once
        foreach (var key in activityKeys.Where(k => k != ancient && !k.EndsWith(pending, StringComparison.Ordinal)))
        {
            var ttl = await Db.KeyTimeToLiveAsync(key);
            Assert.NotNull(ttl);
            Assert.InRange(ttl.Value, TimeSpan.FromDays(70), TimeSpan.FromDays(90)); // decided at the tests' clock (Nov 18) + 90 days
        }
        Assert.Equal((0, 0), await job.MigrateAsync(id)); // done: a second run changes nothing
    }

    private static string Accounting(StoredLedgerEntry e) => string.Join('|', e.Id, e.Kind, e.Ref, e.Type, e.Target, e.Points, e.Pending, e.Balance, e.At, e.Reason,
        string.Join(',', e.Extras.Where(x => x.Key != "id").Select(x => $"{x.Key}={x.Value}")));

    /// <summary>The stream's entries, newest first, as <see cref="Accounting"/> states them.</summary>
    private async Task<IEnumerable<string>> GetLedgerRawAsync(string programId, string memberId, string[] ids)
    {
        var entries = await Db.StreamRangeAsync(RedisKeys.LegacyLedger(programId, memberId), messageOrder: Order.Descending);
        Assert.Equal(ids.Reverse(), entries.Select(e => (string)e.Id!));
        return entries.Select(e => Accounting(new StoredLedgerEntry(e.Id!, 0, e["kind"]!, e["activity"]!, e["type"]!, e["target"]!, (long)e["points"],
            (long)e["pending"], (long)e["balance"], (long)e["at"],
            e.Values.Where(v => v.Name == "from").ToDictionary(v => (string)v.Name!, v => (string)v.Value!), e["reason"]!)));
    }

    [Fact]
    public async Task AwardsDuringTheMigration_LoseNothing_AndEveryLedgerStaysWhole()
    {
        var id = await CreateProgramAsync(new { rules = new { share = new { points = 1 } } });
        var members = Enumerable.Range(0, 20).Select(i => $"m{i}").ToArray();
        foreach (var m in members)
        {
            for (var i = 0; i < 3; i++)
            {
                await RecordAsync(id, m, "share");
            }
            await LedgerStorage.ToLegacyStreamAsync(Db, id, m);
        }
        await LedgerStorage.MarkUnmigratedAsync(Db, id);

        var job = Factory.Services.GetRequiredService<LedgerMigrationJob>();
        var awards = Enumerable.Range(0, 100).Select(i => RecordAsync(id, members[i % members.Length], "share")).ToList();
        var migration = job.MigrateAsync(id);
        await Task.WhenAll(awards);
        await migration;

        Assert.Equal("2", (string?)await Db.HashGetAsync(RedisKeys.Program(id), "layout"));
        foreach (var m in members)
        {
            Assert.False(await Db.KeyExistsAsync(RedisKeys.LegacyLedger(id, m)));
            var ledger = await GetLedgerAsync(id, m);
            Assert.Equal(8, ledger.Count);
            Assert.Equal([8, 7, 6, 5, 4, 3, 2, 1], ledger.Select(e => e.GetProperty("balance").GetInt64()));
            Assert.Equal(3, ledger.Count(e => !e.GetProperty("id").GetString()!.StartsWith('e')));
            Assert.Equal(8, (await GetMemberAsync(id, m)).GetProperty("balance").GetInt64());
        }
    }

    [Fact]
    public async Task AmbassadorsMix_ReadsTheLedgerDownToTheWindowStart_MigratingAFormerStream()
    {
        var id = await CreateProgramAsync(new { rules = new { share = new { points = 10 }, review = new { points = 50 } } });
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddDays(-40));
        await RecordAsync(id, "dana", "review"); // before the window: in her ledger, not in her mix
        await RecordAsync(id, "eve", "review");
        await LedgerStorage.ToLegacyStreamAsync(Db, id, "dana");
        await LedgerStorage.MarkUnmigratedAsync(Db, id);
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow);
        await RecordAsync(id, "eve", "share");
        await LedgerStorage.ToLegacyStreamAsync(Db, id, "eve"); // both entries, the recent one included, in the stream
        await RecordAsync(id, "dana", "share");
        await RecordAsync(id, "dana", "share");

        var report = await GetJsonAsync($"/v1/programs/{id}/ambassadors?days=7&limit=10");

        string Mix(JsonElement a) => string.Join(",", a.GetProperty("mix").EnumerateArray()
            .Select(c => $"{c.GetProperty("type").GetString()}:{c.GetProperty("activities").GetInt32()}:{c.GetProperty("points").GetInt64()}"));
        var ranked = report.GetProperty("ambassadors").EnumerateArray().ToDictionary(a => a.GetProperty("memberId").GetString()!, Mix);
        Assert.Equal("share:2:20", ranked["dana"]);
        Assert.Equal("share:1:10", ranked["eve"]);
        Assert.False(await Db.KeyExistsAsync(RedisKeys.LegacyLedger(id, "eve"))); // migrated by the read
        Assert.Equal(2, await Db.ListLengthAsync(RedisKeys.Ledger(id, "eve")));
    }

    [Fact]
    public async Task Award_InAProgramMarkedMigrated_PaysNoLookupForAStream()
    {
        // The layout flag is what spares awards an EXISTS: with it, a stream left behind is not even looked for.
        var id = await CreateProgramAsync(new { rules = new { share = new { points = 1 } } });
        await RecordAsync(id, "kim", "share");
        await LedgerStorage.ToLegacyStreamAsync(Db, id, "kim");
        await RecordAsync(id, "kim", "share");
        Assert.True(await Db.KeyExistsAsync(RedisKeys.LegacyLedger(id, "kim")));
        Assert.Equal(1, await Db.ListLengthAsync(RedisKeys.Ledger(id, "kim")));

        await LedgerStorage.MarkUnmigratedAsync(Db, id);
        await RecordAsync(id, "kim", "share");
        Assert.False(await Db.KeyExistsAsync(RedisKeys.LegacyLedger(id, "kim")));
        Assert.Equal(3, await Db.ListLengthAsync(RedisKeys.Ledger(id, "kim")));
    }

    [Fact]
    public async Task Erasure_OfAMigratedAndOfAnUnmigratedMember_ScrubsInPlace_KeepingIdsAndAmounts()
    {
        var id = await CreateProgramAsync(Settings);
        await WriteHistoryAsync(id, "mig", 3);
        await WriteHistoryAsync(id, "unmig", 3);
        var migIds = await LedgerStorage.ToLegacyStreamAsync(Db, id, "mig");
        var unmigIds = await LedgerStorage.ToLegacyStreamAsync(Db, id, "unmig");
        await LedgerStorage.MarkUnmigratedAsync(Db, id);
        await GetLedgerAsync(id, "mig"); // migrated by this read
        Assert.False(await Db.KeyExistsAsync(RedisKeys.LegacyLedger(id, "mig")));
        Assert.True(await Db.KeyExistsAsync(RedisKeys.LegacyLedger(id, "unmig")));

        foreach (var (member, ids) in new[] { ("mig", migIds), ("unmig", unmigIds) })
        {
            Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/members/{member}")).StatusCode);
            Assert.False(await Db.KeyExistsAsync(RedisKeys.LegacyLedger(id, member)));
            var entries = await LedgerStorage.ReadAsync(Db, id, member);
            Assert.Equal(ids.Reverse(), entries.Select(e => e.Id));
            Assert.All(entries.Where(e => e.Kind != "badge"), e => Assert.Equal("", e.Target));
            Assert.DoesNotContain(entries, e => e.Reason.Contains("off topic", StringComparison.Ordinal));
            Assert.Contains(entries, e => e.Kind == "reversal" && e.Points == -10);
            Assert.Contains(entries, e => e.Kind == "tier" && e.Extras.ContainsKey("from"));
        }
    }
}
