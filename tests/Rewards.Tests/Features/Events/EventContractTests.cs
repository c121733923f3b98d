using System.Reflection;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Rewards.Api.Features.Events;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Codes;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Events;

/// <summary>The event types agree on both sides, are published (OpenAPI components, docs/events.md), and the polling endpoint pages by id.</summary>
public sealed partial class EventContractTests(RewardsApiFactory factory) : EventTest(factory)
{
    private const string Rules = """{ "review": { "points": 50 }, "share": { "points": 10 } }""";

    [Fact]
    public void EventTypes_AgreeWithCodesLua()
    {
        var codes = new StreamReader(typeof(WireCode<>).Assembly.GetManifestResourceStream("Rewards.Api.Scripts.codes.lua")!).ReadToEnd();
        var table = Regex.Match(codes, @"\bevent\s*=\s*\{([^}]*)\}");
        Assert.True(table.Success);
        var lua = Quoted().Matches(table.Groups[1].Value).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal);
        Assert.Equal(EventTypes.All.Keys.Order(StringComparer.Ordinal), lua);
    }

    [Fact]
    public void EveryEventType_HasAnEmissionTest()
    {
        var tests = typeof(EventContractTests).Assembly.GetTypes().SelectMany(t => t.GetMethods())
            .Select(m => (Method: m, Emits: m.GetCustomAttribute<EmitsAttribute>()))
            .Where(x => x.Emits is not null).ToList();
        // Only tests that run count, and only types that exist (a typo would cover nothing).
        Assert.All(tests, x => Assert.True(x.Method.GetCustomAttribute<FactAttribute>() is { Skip: null },
            $"{x.Method.DeclaringType!.Name}.{x.Method.Name} has [Emits] but is no test that runs"));
        Assert.All(tests.SelectMany(x => x.Emits!.Types), type => Assert.True(EventTypes.IsKnown(type), $"[Emits] names no event type: {type}"));
        var covered = tests.SelectMany(x => x.Emits!.Types).ToHashSet(StringComparer.Ordinal);
        Assert.Equal([], [.. EventTypes.All.Keys.Where(type => !covered.Contains(type))]); // the types no [Emits] test covers
    }

    [Fact]
    public void EveryEventType_HasItsDataSchemaInTheCommittedDocument_AndAnExampleInDocsEventsMd()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "openapi", "rewards.v1.json")));
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.TryGetProperty(nameof(ProgramEvent), out _));
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "events.md"));
        foreach (var (type, (data, _)) in EventTypes.All)
        {
            Assert.True(schemas.TryGetProperty(data.Name, out var schema), $"no schema {data.Name} for {type}");
            Assert.Contains(type, schema.GetProperty("description").GetString());
            // docs/events.md: a section per type naming its schema, with an example envelope of that type.
            Assert.Contains($"### `{type}`", docs);
            Assert.Contains($"\"type\": \"{type}\"", docs);
        }
    }

    [Fact]
    public async Task Polling_PagesByEventId_FiltersByType_AndSaysWhereToContinue()
    {
        var id = await CreateProgramAsync(Rules);
        for (var i = 0; i < 5; i++)
        {
            await RecordAsync(id, $"m-{i}", "share");
        }
        await PostJsonAsync($"/v1/programs/{id}/members/m-0/suspend", null, HttpStatusCode.OK);
        var all = await EventsAsync(id);

        var first = await GetJsonAsync($"/v1/programs/{id}/events?limit=2");
        var ids = first.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Equal(all.Take(2).Select(e => e.GetProperty("id").GetString()), ids);
        Assert.Equal(ids[1], first.GetProperty("nextAfter").GetString());
        Assert.False(first.GetProperty("reset").GetBoolean());
        var second = await GetJsonAsync($"/v1/programs/{id}/events?limit=2&after={ids[1]}");
        Assert.Equal(all.Skip(2).Take(2).Select(e => e.GetProperty("id").GetString()),
            second.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()));

        var suspended = await EventsAsync(id, "member.suspended,member.erased");
        Assert.Equal([("member.suspended", "m-0")], suspended.Select(e => (TypeOf(e), MemberOf(e))));
        var last = all[^1].GetProperty("id").GetString();
        var nothingNew = await GetJsonAsync($"/v1/programs/{id}/events?after={last}");
        Assert.Empty(nothingNew.GetProperty("events").EnumerateArray());
        Assert.Equal(last, nothingNew.GetProperty("nextAfter").GetString());
    }

    [Theory]
    [InlineData("after=yesterday", "after")]
    [InlineData("types=activity.awarded,points.gifted", "types")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    public async Task Polling_RefusesBadInput_NamingTheField(string query, string field)
    {
        var id = await CreateProgramAsync(Rules);
        var response = await Client.GetAsync($"/v1/programs/{id}/events?{query}");
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Polling_NeedsTheReadScope_InItsOwnProgram()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAsync(id, "alice", "share");
        var reader = await ClientOfProgramAsync(id, Scopes.Read);
        Assert.Single((await reader.GetFromJsonAsyncSafe($"/v1/programs/{id}/events")).GetProperty("events").EnumerateArray());
        await AssertProblemAsync(await (await ClientOfProgramAsync(id, Scopes.Perks)).GetAsync($"/v1/programs/{id}/events"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Emit_WritesNothing_WhenEventsAreOff_AndOneEntryWithTheMembersSequenceOtherwise()
    {
        var script = Rewards.Api.Infrastructure.Redis.RedisScript.FromSource("emit-driver",
            "--!include events\nreturn events.emit(events.writesOf(KEYS[1], ARGV[1]), 'member.suspended', 'm-1', KEYS[2], 1764518400000, {})\n");
        var db = Factory.Redis.GetDatabase();
        var program = NewId("p");
        StackExchange.Redis.RedisKey[] keys = [$"rw:{{{program}}}:events", $"rw:{{{program}}}:m:m-1"];

        Assert.Equal("", (string?)await script.RunAsync(db, keys, [0])); // Rewards:Events:Enabled = false
        Assert.Equal(0, await db.StreamLengthAsync(keys[0]));
        Assert.False(await db.HashExistsAsync(keys[1], "evseq"));

        var first = (string?)await script.RunAsync(db, keys, [1000]);
        var second = (string?)await script.RunAsync(db, keys, [1000]);
        var entries = await db.StreamRangeAsync(keys[0]);
        Assert.Equal([first, second], entries.Select(e => (string?)e.Id));
        Assert.Equal([("m-1", "1", "{}"), ("m-1", "2", "{}")], entries.Select(e => ((string?)e["member"], (string?)e["seq"], (string?)e["data"])));
    }

    [GeneratedRegex("'([^']*)'")]
    private static partial Regex Quoted();
}

internal static class HttpClientJson
{
    public static async Task<JsonElement> GetFromJsonAsyncSafe(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }
}
