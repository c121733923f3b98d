using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Members;
using Rewards.Api.Features.Perks;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Tests.Infrastructure;
using StackExchange.Redis;

namespace Rewards.Tests.Features.Members;

/// <summary>Right to be forgotten: what erasure scrubs, what it keeps, and how the API answers about an erased member.</summary>
public sealed class ErasureTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private const string MedicalPost = "post about dave's medical condition";
    private const string PendingComment = "comment on dave's divorce thread";
    private const string ReversedPost = "dave's home address photo";
    private const string ModeratorNote = "moderator: dave is a known troll";
    private const string ReversalNote = "clawed back: doxxing dave";
    private const string DisplayName = "Dave Dupontel-Secret";
    private const string Locale = "pt-BR";

    private static readonly object Settings = new
    {
        rules = new
        {
            review = new { points = 50, uniquePerTarget = true }, comment = new { points = 5, requiresApproval = true },
            referral = new { points = 100 },
        },
        tiers = new[] { new { name = "Bronze", minLifetimePoints = 0 }, new { name = "Silver", minLifetimePoints = 100 } },
        velocity = new { maxPerMinute = 5 },
    };

    private Task<JsonElement> ModerateAsync(string programId, string activityId, string action, string reason) =>
        PostJsonAsync($"/v1/programs/{programId}/activities/{activityId}/{action}", new { reason }, HttpStatusCode.OK);

    private static string ActivityIdOf(JsonElement answer) => answer.GetProperty("activityId").GetString()!;

    /// <summary>Every value of every key of the program, as text (keys of a program share its hash tag, so one node holds them).</summary>
    private async Task<string> EverythingStoredAsync(string programId)
    {
        var db = Factory.Redis.GetDatabase();
        var text = new StringBuilder();
        foreach (var key in await Factory.KeysAsync(RedisKeys.ProgramPattern(programId)))
        {
            text.Append(key).Append('\n');
            switch (await db.KeyTypeAsync(key))
            {
                case RedisType.String:
                    text.Append(await db.StringGetAsync(key));
                    break;
                case RedisType.Hash:
                    foreach (var e in await db.HashGetAllAsync(key)) text.Append(e.Name).Append('=').Append(e.Value).Append('\n');
                    break;
                case RedisType.Set:
                    foreach (var m in await db.SetMembersAsync(key)) text.Append(m).Append('\n');
                    break;
                case RedisType.SortedSet:
                    foreach (var m in await db.SortedSetRangeByRankAsync(key)) text.Append(m).Append('\n');
                    break;
                case RedisType.List:
                    foreach (var m in await db.ListRangeAsync(key)) text.Append(m).Append('\n');
                    break;
                case RedisType.Stream:
                    foreach (var e in await db.StreamRangeAsync(key))
                    {
                        foreach (var v in e.Values) text.Append(v.Name).Append('=').Append(v.Value).Append('\n');
                    }
                    break;
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>What accounting keeps of a ledger: entry id, kind, activity, type, points, pending, balance, time.</summary>
    private static string[] Accounting(StoredLedgerEntry[] entries) =>
        [.. entries.Select(e => string.Join('|', e.Id, e.Kind, e.Ref, e.Type, e.Points, e.Pending, e.Balance, e.At))];

    [Fact]
    public async Task Erasure_ScrubsEveryFreeTextAboutTheMember_AndKeepsTheAccounting()
    {
        var id = await CreateProgramAsync(Settings);
        var db = Factory.Redis.GetDatabase();
        await Client.PutAsJsonAsync($"/v1/programs/{id}/members/dave", new { displayName = DisplayName, locale = Locale });
        await RecordAsync(id, "dave", "review", MedicalPost);
        var reversed = await RecordAsync(id, "dave", "review", ReversedPost);
        await ModerateAsync(id, ActivityIdOf(reversed), "reverse", ReversalNote);
        var comment = await RecordAsync(id, "dave", "comment", PendingComment);
        await ModerateAsync(id, ActivityIdOf(comment), "reject", ModeratorNote);
        await RecordAsync(id, "dave", "review", MedicalPost); // refused (duplicate target): the refusal names it too
        await RecordAsync(id, "dave", "referral", "frank");
        var erinsReferral = await RecordAsync(id, "erin", "referral", "dave");
        // The 6th activity of dave in this minute: velocity flags dave and holds it for moderation.
        var held = await RecordAsync(id, "dave", "review", "held review of dave's clinic");
        Assert.Equal("velocity", held.GetProperty("reason").GetString());
        var perkId = await OfferGrantedAndClaimedAsync(id, "dave", "DAVE-CODE-77");

        var before = await LedgerStorage.ReadAsync(db, id, "dave");
        Assert.True(await db.SetContainsAsync(RedisKeys.FlaggedMembers(id), "dave"));
        Assert.Contains(MedicalPost, await EverythingStoredAsync(id)); // the search below can see what it looks for

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/members/dave")).StatusCode);

        var stored = await EverythingStoredAsync(id);
        foreach (var text in new[] { MedicalPost, PendingComment, ReversedPost, ModeratorNote, ReversalNote, DisplayName, Locale,
                     "dave's clinic", "DAVE-CODE-77" })
        {
            Assert.DoesNotContain(text, stored);
        }
        // Accounting stays: the same entries under the same ids, with kinds, amounts, balances and times.
        var after = await LedgerStorage.ReadAsync(db, id, "dave");
        Assert.Equal(Accounting(before), Accounting(after));
        Assert.Contains(after, e => e.Reason == "duplicate_target");
        Assert.All(after, e => Assert.Equal("", e.Target)); // his referral of frank included
        foreach (var activity in after.Select(e => e.Ref).Distinct())
        {
            var a = await db.HashGetAsync(RedisKeys.Activity(id, activity), ["member", "target", "moderationReason"]);
            Assert.Equal(("dave", "", ""), ((string?)a[0], (string?)a[1], (string?)a[2]));
        }
        Assert.Empty(await Factory.KeysAsync(RedisKeys.MemberTargets(id, "dave", "*").ToString()));
        Assert.False(await db.SetContainsAsync(RedisKeys.FlaggedMembers(id), "dave"));
        var grant = (string)(await db.HashGetAsync(RedisKeys.MemberGrants(id, "dave"), perkId))!;
        Assert.Matches(@"^[^|]+\|claimed\|\|\d+$", grant);

        // Erin referred dave: her entry and activity keep the points but no longer name him; her other data is untouched.
        var erinsEntries = await LedgerStorage.ReadAsync(db, id, "erin");
        var erinsEntry = Assert.Single(erinsEntries, e => e.Ref == ActivityIdOf(erinsReferral) && e.Kind == "award");
        Assert.Equal(("", 100L), (erinsEntry.Target, erinsEntry.Points));
        Assert.Equal("", (string?)await db.HashGetAsync(RedisKeys.Activity(id, ActivityIdOf(erinsReferral)), "target"));
        Assert.Equal(100, (await GetMemberAsync(id, "erin")).GetProperty("balance").GetInt64());
        // Nobody earns a referral of the erased id again.
        Assert.Equal("already_referred", (await RecordAsync(id, "gail", "referral", "dave")).GetProperty("reason").GetString());
    }

    private async Task<string> OfferGrantedAndClaimedAsync(string programId, string memberId, string code)
    {
        var created = await PostJsonAsync($"/v1/programs/{programId}/perks", new
        {
            kind = "offer", title = "Thanks", offer = new { codes = new[] { code } },
            audience = new { type = "members", memberIds = new[] { memberId } },
            schedule = new { type = "at", at = RewardsApiFactory.FarFuture },
        }, HttpStatusCode.Created);
        var perkId = created.GetProperty("perk").GetProperty("perkId").GetString()!;
        await Factory.Services.GetRequiredService<PerkGrantJob>().GrantAsync(programId, perkId, "run-1");
        var claimed = await PostJsonAsync($"/v1/programs/{programId}/members/{memberId}/perks/{perkId}/claim", null, HttpStatusCode.OK);
        Assert.Equal(code, claimed.GetProperty("code").GetString());
        return perkId;
    }

    [Fact]
    public async Task ErasedMember_Routes_AnswerNotFound_LedgerAndPerksIncluded()
    {
        var id = await CreateProgramAsync(Settings);
        await RecordAsync(id, "dave", "review", MedicalPost);
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/members/dave")).StatusCode);

        foreach (var route in new[] { "", "/ledger", "/perks", "/news", "/export" })
        {
            await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/members/dave{route}"), HttpStatusCode.NotFound);
        }
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/leaderboards/points/members/dave"), HttpStatusCode.NotFound);
        foreach (var action in new[] { "suspend", "reinstate", "unflag" })
        {
            await AssertProblemAsync(await Client.PostAsync($"/v1/programs/{id}/members/dave/{action}", null), HttpStatusCode.NotFound);
        }
        await AssertProblemAsync(await Client.DeleteAsync($"/v1/programs/{id}/members/dave"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Award_ToAnErasedMember_IsRefused_WithoutTheirFigures_ReplaysIncluded_AndWritesNothing()
    {
        var id = await CreateProgramAsync(Settings);
        var db = Factory.Redis.GetDatabase();
        var body = new { memberId = "dave", type = "review", targetId = "p-1", occurredAt = RewardsApiFactory.DefaultNow.AddDays(-6) };
        Assert.Equal(HttpStatusCode.Created, (await PostActivityAsync(id, body, "key-1")).StatusCode);
        await RecordAsync(id, "dave", "review", "p-2"); // balance 100, tier Silver
        var pending = await RecordAsync(id, "dave", "comment", "c-1");
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/members/dave")).StatusCode);
        var entries = await db.ListLengthAsync(RedisKeys.Ledger(id, "dave"));
        var member = await db.HashGetAllAsync(RedisKeys.Member(id, "dave"));

        var fresh = await PostActivityAsync(id, new { memberId = "dave", type = "review", targetId = "p-3" });
        var replay = await PostActivityAsync(id, body, "key-1");
        // Now the replayed request is too old to be decided again, and its idempotency record is still kept (48 h at least).
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddDays(2));
        var lateReplay = await PostActivityAsync(id, body, "key-1");

        foreach (var answer in new[] { fresh, replay, lateReplay })
        {
            await AssertProblemAsync(answer, HttpStatusCode.Conflict);
            var problem = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!.AsObject();
            Assert.Equal("member_erased", (string?)problem["reason"]);
            foreach (var figure in new[] { "balance", "lifetimePoints", "tier", "points", "activityId" })
            {
                Assert.False(problem.ContainsKey(figure), $"the refusal shows {figure}: {problem}");
            }
            Assert.DoesNotContain("Silver", problem.ToJsonString());
        }
        // Nothing written about them, nothing re-created; a moderator's rejection of their pending activity writes nothing either.
        await AssertProblemAsync(await Client.PostAsJsonAsync($"/v1/programs/{id}/activities/{ActivityIdOf(pending)}/reject",
            new { reason = "new note about dave" }), HttpStatusCode.Conflict);
        Assert.Equal(entries, await db.ListLengthAsync(RedisKeys.Ledger(id, "dave")));
        Assert.Equal(member.OrderBy(e => e.Name.ToString()), (await db.HashGetAllAsync(RedisKeys.Member(id, "dave"))).OrderBy(e => e.Name.ToString()));
        Assert.DoesNotContain("new note about dave", await EverythingStoredAsync(id));
        await AssertProblemAsync(await Client.PutAsJsonAsync($"/v1/programs/{id}/members/dave", new { displayName = "Dave" }), HttpStatusCode.Conflict);
    }

    /// <summary>
    /// Erasure keeps a ledger entry's reason only when it is a code the scripts write (anything else was a moderator's text):
    /// scripts write reasons only through the codes module, and erasure keeps every code of it.
    /// </summary>
    [Fact]
    public async Task EveryReasonCodeTheScriptsWrite_IsKeptByErasure()
    {
        var scripts = Path.Combine(RepositoryRoot.Path, "src", "Rewards.Api", "Scripts");
        var literal = Directory.GetFiles(scripts, "*.lua").Where(f => !f.EndsWith("codes.lua", StringComparison.Ordinal))
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), @"\breason = '(?<code>[a-z_]+)'").Select(m => $"{Path.GetFileName(f)}: {m.Value}"));
        Assert.Empty(literal);

        var check = RedisScript.FromSource("kept-reasons", """
            --!include codes
            --!include erasure
            local codesWritten, dropped = {}, {}
            for name, code in pairs(codes.reason) do
              if name ~= 'memberPrefix' then codesWritten[#codesWritten + 1] = code end
            end
            for _, status in pairs(codes.status) do codesWritten[#codesWritten + 1] = codes.reason.memberPrefix .. status end
            for _, code in ipairs(codesWritten) do
              if not erasure.isKeptReason(codes.ledger.rejection, code) then dropped[#dropped + 1] = code end
            end
            return {#codesWritten, dropped}
            """);
        var r = (RedisResult[])(await check.RunAsync(Factory.Redis.GetDatabase(), [], []))!;

        Assert.True((int)r[0] >= 9, $"only {(int)r[0]} reason codes in codes.lua");
        Assert.Empty((RedisResult[])r[1]!);
        var moderatorText = RedisScript.FromSource("moderator-text", "--!include codes\n--!include erasure\nreturn erasure.isKeptReason(codes.ledger.reversal, 'spam from Dave') and 1 or 0\n");
        Assert.Equal(0, (int)await moderatorText.RunAsync(Factory.Redis.GetDatabase(), [], []));
    }
}
