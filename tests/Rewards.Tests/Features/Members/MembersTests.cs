using System.Net;
using System.Net.Http.Json;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Members;

public sealed class MembersTests(RewardsApiFactory factory) : ApiTest(factory)
{
    [Fact]
    public async Task PutMember_Creates_ThenUpdates()
    {
        var id = await CreateProgramAsync("{}");

        var created = await Client.PutAsJsonAsync($"/v1/programs/{id}/members/alice", new { displayName = "Alice", locale = "fr-FR" });
        var updated = await Client.PutAsJsonAsync($"/v1/programs/{id}/members/alice", new { displayName = "Alice B." });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var member = await GetMemberAsync(id, "alice");
        Assert.Equal("Alice B.", member.GetProperty("displayName").GetString());
        Assert.False(member.TryGetProperty("locale", out _));
        Assert.Equal("active", member.GetProperty("status").GetString());
        Assert.Equal(0, member.GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task Member_IsCreatedImplicitly_ByFirstActivity()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        await GetJsonAsync($"/v1/programs/{id}/members/bob", HttpStatusCode.NotFound);

        await RecordAsync(id, "bob", "review");

        var member = await GetMemberAsync(id, "bob");
        Assert.Equal(50, member.GetProperty("balance").GetInt64());
        Assert.Equal(50, member.GetProperty("lifetimePoints").GetInt64());
    }

    [Fact]
    public async Task ProfileUpdate_KeepsPoints()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        await RecordAsync(id, "carol", "review");

        await Client.PutAsJsonAsync($"/v1/programs/{id}/members/carol", new { displayName = "Carol" });

        var member = await GetMemberAsync(id, "carol");
        Assert.Equal(50, member.GetProperty("balance").GetInt64());
        Assert.Equal("Carol", member.GetProperty("displayName").GetString());
    }

    [Theory]
    [InlineData("""{ "displayName": "" }""")]
    [InlineData("""{ "displayName": "bad\u0007name" }""")]
    [InlineData("""{ "locale": "not a locale" }""")]
    [InlineData("""{ "nickname": "unknown field" }""")]
    [InlineData("""{ "displayName": 42 }""")]
    public async Task PutMember_IsRefused_AndWritesNothing(string json)
    {
        var id = await CreateProgramAsync("{}");

        var response = await Client.PutAsync($"/v1/programs/{id}/members/dave", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        await GetJsonAsync($"/v1/programs/{id}/members/dave", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Ledger_PagesNewestFirst_WithCursor()
    {
        var id = await CreateProgramAsync("""{ "share": { "points": 1 } }""");
        for (var i = 0; i < 5; i++)
        {
            await RecordAsync(id, "erin", "share", targetId: $"post-{i}");
        }

        var first = await GetJsonAsync($"/v1/programs/{id}/members/erin/ledger?limit=2");
        var cursor = first.GetProperty("nextCursor").GetString();
        var second = await GetJsonAsync($"/v1/programs/{id}/members/erin/ledger?limit=2&cursor={cursor}");
        var third = await GetJsonAsync($"/v1/programs/{id}/members/erin/ledger?limit=2&cursor={second.GetProperty("nextCursor").GetString()}");

        var balances = new[] { first, second, third }
            .SelectMany(p => p.GetProperty("entries").EnumerateArray())
            .Select(e => e.GetProperty("balance").GetInt64());
        Assert.Equal([5, 4, 3, 2, 1], balances);
        Assert.False(third.TryGetProperty("nextCursor", out _));
        var newest = first.GetProperty("entries")[0];
        Assert.Equal("award", newest.GetProperty("kind").GetString());
        Assert.Equal("post-4", newest.GetProperty("targetId").GetString());
        Assert.Contains("1 point for share", newest.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Ledger_IsRefused_WithBadPaging()
    {
        var id = await CreateProgramAsync("{}");
        await Client.PutAsJsonAsync($"/v1/programs/{id}/members/fay", new { });
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/members/fay/ledger?limit=0"), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/members/fay/ledger?limit=101"), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/members/fay/ledger?cursor=abc"), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/members/fay/ledger?limit=abc"), HttpStatusCode.BadRequest);
        // Stream ids are two unsigned 64-bit numbers: one more than the largest is not a cursor.
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/members/fay/ledger?cursor=99999999999999999999-0"), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/members/fay/ledger?cursor=18446744073709551616-0"), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/members/fay/ledger?cursor=0-18446744073709551616"), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/members/fay/ledger?cursor=-1-0"), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/members/fay/ledger?cursor=1-"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Ledger_CursorAtEitherEndOfTheIdRange_IsAPage()
    {
        // Former stream ids address the entries written before ledger lists (migrated, the oldest); later entries come
        // before any of them. Ordinal cursors ('e' and a number) address every entry.
        var id = await CreateProgramAsync("""{ "share": { "points": 1 } }""");
        await RecordAsync(id, "gus", "share");
        await RecordAsync(id, "gus", "share");
        await LedgerStorage.ToLegacyStreamAsync(Factory.Redis.GetDatabase(), id, "gus");
        await LedgerStorage.MarkUnmigratedAsync(Factory.Redis.GetDatabase(), id);
        await RecordAsync(id, "gus", "share");

        var oldest = await GetJsonAsync($"/v1/programs/{id}/members/gus/ledger?cursor=0-0");
        var newest = await GetJsonAsync($"/v1/programs/{id}/members/gus/ledger?cursor=18446744073709551615-18446744073709551615");
        var beforeFirst = await GetJsonAsync($"/v1/programs/{id}/members/gus/ledger?cursor=e1");
        var beyondLast = await GetJsonAsync($"/v1/programs/{id}/members/gus/ledger?cursor=e9223372036854775807");

        Assert.Equal(0, oldest.GetProperty("entries").GetArrayLength());
        Assert.False(oldest.TryGetProperty("nextCursor", out _));
        Assert.Equal([2, 1], newest.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("balance").GetInt64()));
        Assert.Equal(0, beforeFirst.GetProperty("entries").GetArrayLength());
        Assert.Equal([3, 2, 1], beyondLast.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("balance").GetInt64()));
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/members/nobody/ledger?cursor=0-0"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/members/gus/ledger?cursor=e"), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/members/gus/ledger?cursor=e-1"), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/members/gus/ledger?cursor=e9223372036854775808"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task UnknownMemberOrProgram_IsNotFound()
    {
        var id = await CreateProgramAsync("{}");
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/members/nobody"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/members/nobody/ledger"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await Client.GetAsync("/v1/programs/no-such-program/members/nobody"), HttpStatusCode.NotFound);
    }
}
