using System.Net;
using System.Text.Json;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Perks;

/// <summary>Every list is paged with offset and limit (1–100, default 20) and says how many items there are in all.</summary>
public sealed class PerkPagingTests(RewardsApiFactory factory) : PerkApiTest(factory)
{
    private async Task<(string[] Ids, long Total)> PageAsync(string url, string items, Func<JsonElement, string> idOf)
    {
        var page = await GetJsonAsync(url);
        return ([.. page.GetProperty(items).EnumerateArray().Select(idOf)], page.GetProperty("total").GetInt64());
    }

    private async Task AssertPageAsync(IEnumerable<string> expected, long total, string url, string items, Func<JsonElement, string> idOf)
    {
        var (ids, actualTotal) = await PageAsync(url, items, idOf);
        Assert.Equal(expected, ids);
        Assert.Equal(total, actualTotal);
    }

    private async Task AssertRefusedAsync(string url)
    {
        foreach (var query in new[] { "limit=0", "limit=101", "offset=-1", "offset=1000001", "limit=abc" })
        {
            await AssertProblemAsync(await Client.GetAsync(url + (url.Contains('?') ? "&" : "?") + query), HttpStatusCode.BadRequest);
        }
    }

    [Fact]
    public async Task PerkList_AndTheMembersInbox_ArePaged_NewestFirst()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAsync(id, "alice", "share");
        var created = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            Factory.Clock.Advance(TimeSpan.FromSeconds(1)); // distinct creation and grant times: a stable order
            var perkId = await CreatePerkAsync(id, News($"n{i}", RewardsApiFactory.DefaultNow, RewardsApiFactory.DefaultNow.AddDays(1), Members("alice")));
            await Job.GrantAsync(id, perkId, "r");
            created.Add(perkId);
        }
        created.Reverse(); // newest first

        var perks = $"/v1/programs/{id}/perks";
        static string PerkIdOf(JsonElement view) => view.GetProperty("perk").GetProperty("perkId").GetString()!;
        await AssertPageAsync(created.Take(20).ToArray(), 25, perks, "perks", PerkIdOf);
        await AssertPageAsync(created.Skip(20).ToArray(), 25, $"{perks}?offset=20", "perks", PerkIdOf);
        await AssertPageAsync(created.Skip(3).Take(4).ToArray(), 25, $"{perks}?offset=3&limit=4", "perks", PerkIdOf);
        await AssertPageAsync(Array.Empty<string>(), 25, $"{perks}?offset=25", "perks", PerkIdOf);
        await AssertRefusedAsync(perks);

        var inbox = $"/v1/programs/{id}/members/alice/perks";
        static string InboxIdOf(JsonElement perk) => perk.GetProperty("perkId").GetString()!;
        await AssertPageAsync(created.Take(20).ToArray(), 25, inbox, "perks", InboxIdOf);
        await AssertPageAsync(created.Skip(20).ToArray(), 25, $"{inbox}?offset=20&limit=100", "perks", InboxIdOf);
        await AssertRefusedAsync(inbox);
    }

    [Fact]
    public async Task ClientsAndFlaggedMembers_ArePaged()
    {
        var id = await CreateProgramAsync(Rules);
        for (var i = 0; i < 3; i++)
        {
            await CreateApiClientAsync(id, Scopes.Read);
        }
        var clients = $"/v1/programs/{id}/clients";
        static string ClientIdOf(JsonElement c) => c.GetProperty("clientId").GetString()!;
        var all = await PageAsync($"{clients}?limit=100", "clients", ClientIdOf);
        Assert.Equal(3, all.Ids.Length);
        await AssertPageAsync(all.Ids.Take(2).ToArray(), 3, $"{clients}?limit=2", "clients", ClientIdOf);
        await AssertPageAsync(all.Ids.Skip(2).ToArray(), 3, $"{clients}?offset=2&limit=2", "clients", ClientIdOf);
        await AssertRefusedAsync(clients);

        // Members flagged by a bulk review import: straight into the flagged set.
        var flaggedIds = new[] { "f-a", "f-b", "f-c" };
        foreach (var m in flaggedIds)
        {
            await RecordAsync(id, m, "share");
            await Factory.Redis.GetDatabase().SetAddAsync(RedisKeys.FlaggedMembers(id), m);
        }
        var flagged = $"/v1/programs/{id}/members?flagged=true";
        static string MemberIdOf(JsonElement m) => m.GetProperty("memberId").GetString()!;
        await AssertPageAsync(flaggedIds.Take(2).ToArray(), 3, $"{flagged}&limit=2", "members", MemberIdOf);
        await AssertPageAsync(flaggedIds.Skip(2).ToArray(), 3, $"{flagged}&offset=2&limit=2", "members", MemberIdOf);
        await AssertRefusedAsync(flagged);
    }
}
