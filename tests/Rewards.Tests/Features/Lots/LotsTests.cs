using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Lots;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Tests.Infrastructure;
using StackExchange.Redis;

namespace Rewards.Tests.Features.Lots;

/// <summary>Points that expire by lots (docs/points-expiry.md): the policy, lots on award and approval, debits, the expiry job.</summary>
public sealed class LotsTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private const string Review = """{ "review": { "points": 100 } }""";

    private async Task<string> ProgramWithExpiryAsync(string? pointsExpiry, string timeZone = "Europe/Paris", object? rules = null) =>
        await CreateProgramAsync(new Dictionary<string, object?>
        {
            ["timeZone"] = timeZone,
            ["rules"] = rules ?? JsonDocument.Parse(Review).RootElement,
            ["pointsExpiry"] = pointsExpiry,
        });

    private async Task<ExpiryPass> ExpireAsync(string programId)
    {
        var program = await Factory.Services.GetRequiredService<ProgramStore>().FindAsync(programId, reload: true);
        return await Factory.Services.GetRequiredService<LotStore>().ExpireAsync(program!);
    }

    private async Task<List<(string ExpiresOn, long Points, DateTimeOffset ExpiresAt)>> ExpiringAsync(string programId, string memberId)
    {
        var list = await GetJsonAsync($"/v1/programs/{programId}/members/{memberId}/expiring?limit=100");
        return [.. list.GetProperty("expiries").EnumerateArray().Select(e => (e.GetProperty("expiresOn").GetString()!,
            e.GetProperty("points").GetInt64(), e.GetProperty("expiresAt").GetDateTimeOffset()))];
    }

    private static IEnumerable<string> Lots(JsonElement entry) => entry.TryGetProperty("lots", out var lots) && lots.ValueKind == JsonValueKind.Array
        ? lots.EnumerateArray().Select(l => $"{l.GetProperty("expiresOn").GetString()}:{l.GetProperty("points").GetInt64()}")
        : [];

    private Task<HttpResponseMessage> AdjustAsync(string programId, string memberId, object body, string? key = null, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{programId}/members/{memberId}/adjustments") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return (client ?? Client).SendAsync(request);
    }

    private async Task<JsonElement> AdjustOkAsync(string programId, string memberId, object body, string? key = null)
    {
        var response = await AdjustAsync(programId, memberId, body, key);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    [Theory]
    [InlineData("P12M")]
    [InlineData("P1Y6M")]
    [InlineData("P90D")]
    [InlineData("P2W")]
    [InlineData("endOf:year")]
    [InlineData("endOf:year+1")]
    [InlineData("endOf:quarter+2")]
    [InlineData("endOf:month+1")]
    public async Task Policy_IsAcceptedAndShown(string policy)
    {
        var id = await ProgramWithExpiryAsync(policy);
        Assert.Equal(policy, (await GetJsonAsync($"/v1/programs/{id}")).GetProperty("pointsExpiry").GetString());
        Assert.Equal(policy, (await GetJsonAsync($"/v1/programs/{id}/card")).GetProperty("pointsExpiry").GetString());
    }

    [Theory]
    [InlineData("12 months")]
    [InlineData("P")]
    [InlineData("P0D")]
    [InlineData("PT12H")]
    [InlineData("P11Y")]
    [InlineData("P200M")]
    [InlineData("endOf:week")]
    [InlineData("endOf:year+11")]
    [InlineData("NONE")]
    public async Task Policy_IsRefused_WhenInvalid(string policy)
    {
        var id = NewId("p");
        var response = await Client.PostAsJsonAsync("/v1/programs", new { id, name = "x", timeZone = "UTC", rules = new { }, pointsExpiry = policy });
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("P12M", problem.GetProperty("errors").GetProperty("pointsExpiry")[0].GetString());
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PolicyNone_WritesNoLot_AndNeverExpiresAnything()
    {
        var id = await ProgramWithExpiryAsync(null);
        Assert.Equal("none", (await GetJsonAsync($"/v1/programs/{id}")).GetProperty("pointsExpiry").GetString());
        var answer = await RecordAsync(id, "m-1", "review");

        var db = Factory.Redis.GetDatabase();
        Assert.False(await db.KeyExistsAsync(RedisKeys.MemberLots(id, "m-1")));
        Assert.False(await db.KeyExistsAsync(RedisKeys.LotsDue(id)));
        Assert.False(await db.HashExistsAsync(RedisKeys.Activity(id, answer.GetProperty("activityId").GetString()!), ActivityFields.Lot));
        Assert.Empty(await ExpiringAsync(id, "m-1"));

        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddYears(9));
        var pass = await ExpireAsync(id);
        Assert.Equal(0, pass.Points);
        var member = await GetMemberAsync(id, "m-1");
        Assert.Equal(100, member.GetProperty("balance").GetInt64());
        Assert.Equal(0, member.GetProperty("balanceSplit").GetProperty("expiringWithin30Days").GetInt64());
        Assert.DoesNotContain(await GetLedgerAsync(id, "m-1"), e => e.GetProperty("kind").GetString() == "expiry");
    }

    [Fact]
    public async Task RollingPolicy_ExpiresAtLocalMidnight_ExactlyOnce_AndKeepsLifetime()
    {
        var id = await ProgramWithExpiryAsync("P12M");
        // 2026-11-18 10:00Z is 11:00 in Paris: spendable through 2027-11-18, expiring at its local midnight (23:00Z, UTC+1).
        await RecordAsync(id, "m-1", "review");
        await RecordAsync(id, "m-1", "review");
        var expiring = Assert.Single(await ExpiringAsync(id, "m-1"));
        Assert.Equal(("2027-11-18", 200L), (expiring.ExpiresOn, expiring.Points));
        Assert.Equal(new DateTimeOffset(2027, 11, 18, 23, 0, 0, TimeSpan.Zero), expiring.ExpiresAt);

        Factory.SetUtcNow(new DateTimeOffset(2027, 11, 18, 22, 59, 0, TimeSpan.Zero));
        Assert.Equal(0, (await ExpireAsync(id)).Points);
        var before = await GetMemberAsync(id, "m-1");
        Assert.Equal(200, before.GetProperty("balance").GetInt64());
        Assert.Equal(200, before.GetProperty("balanceSplit").GetProperty("expiringWithin30Days").GetInt64());

        Factory.SetUtcNow(new DateTimeOffset(2027, 11, 18, 23, 0, 0, TimeSpan.Zero));
        var pass = await ExpireAsync(id);
        Assert.Equal((1L, 200L), (pass.Lots, pass.Points));
        Assert.Equal((0L, 0L), ((await ExpireAsync(id)).Lots, (await ExpireAsync(id)).Points));

        var member = await GetMemberAsync(id, "m-1");
        Assert.Equal(0, member.GetProperty("balance").GetInt64());
        Assert.Equal(200, member.GetProperty("lifetimePoints").GetInt64());
        var expiries = (await GetLedgerAsync(id, "m-1")).Where(e => e.GetProperty("kind").GetString() == "expiry").ToList();
        var entry = Assert.Single(expiries);
        Assert.Equal(-200, entry.GetProperty("points").GetInt64());
        Assert.Equal(0, entry.GetProperty("balance").GetInt64());
        Assert.Equal(["2027-11-18:200"], Lots(entry));
        Assert.Equal("200 points expired.", entry.GetProperty("description").GetString());
        Assert.Empty(await ExpiringAsync(id, "m-1"));
        Assert.False(await Factory.Redis.GetDatabase().KeyExistsAsync(RedisKeys.LotsDue(id)));
        var stats = await GetJsonAsync($"/v1/programs/{id}/stats?from=2027-11-19&to=2027-11-19");
        Assert.Equal(200, stats.GetProperty("totals").GetProperty("pointsExpired").GetInt64());
    }

    [Fact]
    public async Task Expiry_FollowsTheProgramsZone_AcrossADaylightSavingChange()
    {
        // New York moves to daylight time on 2027-03-14: the lot of 2027-03-13 (P1D) is spendable through 2027-03-14 and
        // expires at its local midnight, 2027-03-15 00:00 EDT = 04:00Z (not 05:00Z, as the winter offset would say).
        var id = await ProgramWithExpiryAsync("P1D", "America/New_York");
        Factory.SetUtcNow(new DateTimeOffset(2027, 3, 13, 15, 0, 0, TimeSpan.Zero));
        await RecordAsync(id, "m-1", "review");
        var lot = Assert.Single(await ExpiringAsync(id, "m-1"));
        Assert.Equal("2027-03-14", lot.ExpiresOn);
        Assert.Equal(new DateTimeOffset(2027, 3, 15, 4, 0, 0, TimeSpan.Zero), lot.ExpiresAt);

        Factory.SetUtcNow(new DateTimeOffset(2027, 3, 15, 3, 59, 0, TimeSpan.Zero));
        Assert.Equal(0, (await ExpireAsync(id)).Points);
        Factory.SetUtcNow(new DateTimeOffset(2027, 3, 15, 4, 0, 0, TimeSpan.Zero));
        Assert.Equal(100, (await ExpireAsync(id)).Points);
        Assert.Equal(0, (await GetMemberAsync(id, "m-1")).GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task CalendarPolicy_DatesLotsAtThePeriodEnd_OneLotPerExpiryDate()
    {
        var id = await ProgramWithExpiryAsync("endOf:year+1");
        await RecordAsync(id, "m-1", "review");
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddDays(20));
        await RecordAsync(id, "m-1", "review");
        Assert.Equal([("2027-12-31", 200L)], (await ExpiringAsync(id, "m-1")).Select(l => (l.ExpiresOn, l.Points)));
        Factory.SetUtcNow(new DateTimeOffset(2027, 1, 2, 12, 0, 0, TimeSpan.Zero));
        await RecordAsync(id, "m-1", "review");
        Assert.Equal([("2027-12-31", 200L), ("2028-12-31", 100L)], (await ExpiringAsync(id, "m-1")).Select(l => (l.ExpiresOn, l.Points)));
        Assert.Equal(2, await Factory.Redis.GetDatabase().HashLengthAsync(RedisKeys.MemberLots(id, "m-1")));
    }

    [Fact]
    public async Task Reversal_TakesFromItsOwnLot_AndDebits_TakeEarliestFirst()
    {
        var id = await ProgramWithExpiryAsync("P12M");
        await RecordAsync(id, "m-1", "review");
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddDays(1));
        var second = (await RecordAsync(id, "m-1", "review")).GetProperty("activityId").GetString()!;
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddDays(2));
        await RecordAsync(id, "m-1", "review");

        await PostJsonAsync($"/v1/programs/{id}/activities/{second}/reverse", new { reason = "fake" }, HttpStatusCode.OK);
        var reversal = (await GetLedgerAsync(id, "m-1")).First(e => e.GetProperty("kind").GetString() == "reversal");
        Assert.Equal(["2027-11-19:100"], Lots(reversal));
        Assert.Equal([("2027-11-18", 100L), ("2027-11-20", 100L)], (await ExpiringAsync(id, "m-1")).Select(l => (l.ExpiresOn, l.Points)));

        var adjusted = await AdjustOkAsync(id, "m-1", new { points = -150, reason = "correction", note = "double import" });
        Assert.Equal(50, adjusted.GetProperty("balance").GetInt64());
        Assert.Equal(["2027-11-18:100", "2027-11-20:50"], Lots(adjusted));
        Assert.Equal([("2027-11-20", 50L)], (await ExpiringAsync(id, "m-1")).Select(l => (l.ExpiresOn, l.Points)));
        var entry = (await GetLedgerAsync(id, "m-1")).First();
        Assert.Equal("adjustment", entry.GetProperty("kind").GetString());
        Assert.Equal(["2027-11-18:100", "2027-11-20:50"], Lots(entry));
    }

    [Fact]
    public async Task Clawback_LargerThanWhatIsLeft_LeavesANegativeBalance_ThatEarningPaysBackFirst()
    {
        var id = await ProgramWithExpiryAsync("P12M");
        var review = (await RecordAsync(id, "m-1", "review")).GetProperty("activityId").GetString()!;
        await AdjustOkAsync(id, "m-1", new { points = -80, reason = "correction" });

        var reversed = await PostJsonAsync($"/v1/programs/{id}/activities/{review}/reverse", new { reason = "fraud" }, HttpStatusCode.OK);
        Assert.Equal(-80, reversed.GetProperty("balance").GetInt64());
        Assert.Empty(await ExpiringAsync(id, "m-1"));
        var member = await GetMemberAsync(id, "m-1");
        Assert.Equal(-80, member.GetProperty("balanceSplit").GetProperty("available").GetInt64());

        // The next 100 points pay back the 80 first: only 20 get a lot (and can expire).
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddDays(1));
        Assert.Equal(20, (await RecordAsync(id, "m-1", "review")).GetProperty("balance").GetInt64());
        Assert.Equal([("2027-11-19", 20L)], (await ExpiringAsync(id, "m-1")).Select(l => (l.ExpiresOn, l.Points)));
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddYears(2));
        await ExpireAsync(id);
        Assert.Equal(0, (await GetMemberAsync(id, "m-1")).GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task Approval_MakesALotDatedByTheApprovalDay()
    {
        var id = await ProgramWithExpiryAsync("P1M", rules: new { review = new { points = 40, requiresApproval = true } });
        var activity = (await RecordAsync(id, "m-1", "review")).GetProperty("activityId").GetString()!;
        Assert.Empty(await ExpiringAsync(id, "m-1"));
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddDays(3));
        await PostJsonAsync($"/v1/programs/{id}/activities/{activity}/approve", null, HttpStatusCode.OK);
        Assert.Equal([("2026-12-21", 40L)], (await ExpiringAsync(id, "m-1")).Select(l => (l.ExpiresOn, l.Points)));
    }

    [Fact]
    public async Task PolicyChange_AppliesToNewLotsOnly()
    {
        var id = await ProgramWithExpiryAsync("P12M");
        await RecordAsync(id, "m-1", "review");
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/v1/programs/{id}")
        {
            Content = new StringContent("""{ "pointsExpiry": "none" }""", System.Text.Encoding.UTF8, "application/merge-patch+json"),
        };
        Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(patch)).StatusCode);
        await RecordAsync(id, "m-1", "review");
        Assert.Equal([("2027-11-18", 100L)], (await ExpiringAsync(id, "m-1")).Select(l => (l.ExpiresOn, l.Points)));
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddYears(2));
        Assert.Equal(100, (await ExpireAsync(id)).Points);
        Assert.Equal(100, (await GetMemberAsync(id, "m-1")).GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task Expiring_IsPaged_AndNeedsTheRightToken()
    {
        var id = await ProgramWithExpiryAsync("P1D");
        for (var day = 0; day < 3; day++)
        {
            Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddDays(day));
            await RecordAsync(id, "m-1", "review");
        }
        var page = await GetJsonAsync($"/v1/programs/{id}/members/m-1/expiring?limit=2");
        Assert.Equal(3, page.GetProperty("total").GetInt64());
        Assert.Equal(2, page.GetProperty("nextOffset").GetInt64());
        Assert.Equal("2026-11-19", page.GetProperty("expiries")[0].GetProperty("expiresOn").GetString());
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/members/m-1/expiring?limit=0"), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}/members/nobody/expiring"), HttpStatusCode.NotFound);
        var perks = await ClientOfProgramAsync(id, "rewards.perks");
        Assert.Equal(HttpStatusCode.Forbidden, (await perks.GetAsync($"/v1/programs/{id}/members/m-1/expiring")).StatusCode);
        var reader = await ClientOfProgramAsync(id, "rewards.read");
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/v1/programs/{id}/members/m-1/expiring")).StatusCode);
    }

    [Fact]
    public async Task RecurringJob_ExpiresEveryProgramsDueLots_AndRecordsItsPass()
    {
        var id = await ProgramWithExpiryAsync("P1D");
        await RecordAsync(id, "m-1", "review");
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddDays(3));
        await Factory.Services.GetRequiredService<LotExpiryJob>().ExpireAllAsync();
        Assert.Equal(0, (await GetMemberAsync(id, "m-1")).GetProperty("balance").GetInt64());
        var pass = await Factory.Redis.GetDatabase().HashGetAllAsync(RedisKeys.LotExpiryPass);
        Assert.True((long)pass.Single(e => e.Name == "lots").Value >= 1);
        await Factory.Services.GetRequiredService<LotExpiryJob>().ExpireAllAsync();
        Assert.Single(await GetLedgerAsync(id, "m-1"), e => e.GetProperty("kind").GetString() == "expiry");
    }

    [Fact]
    public async Task ExpiryJob_ExpiresManyMembers_InChunks_ExactlyOnce()
    {
        var id = await ProgramWithExpiryAsync("P1D");
        var members = Enumerable.Range(0, LotStore.ExpiryChunk + 20).Select(i => $"m-{i}").ToList();
        // Lots written as the award script writes them (through lots.lua's layout), so the test stays quick.
        var db = Factory.Redis.GetDatabase();
        var batch = db.CreateBatch();
        var writes = members.SelectMany(m => new Task[]
        {
            batch.HashSetAsync(RedisKeys.Member(id, m), [new("status", "active"), new("balance", 30), new("lifetime", 30)]),
            batch.HashSetAsync(RedisKeys.MemberLots(id, m), [new("20261118", 10), new("20261119", 20)]),
            batch.SortedSetAddAsync(RedisKeys.LotsDue(id), m, 20261118),
        }).ToList();
        batch.Execute();
        await Task.WhenAll(writes);

        Factory.SetUtcNow(new DateTimeOffset(2026, 11, 19, 12, 0, 0, TimeSpan.Zero));
        var first = await ExpireAsync(id);
        Assert.Equal((members.Count * 1L, members.Count * 10L), (first.Lots, first.Points));
        Assert.Equal(0, (await ExpireAsync(id)).Points);
        Factory.SetUtcNow(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));
        var second = await ExpireAsync(id);
        Assert.Equal(members.Count * 20L, second.Points);
        Assert.Equal(0, (long)await db.HashGetAsync(RedisKeys.Member(id, "m-7"), "balance"));
        Assert.Equal(30, (long)await db.HashGetAsync(RedisKeys.Member(id, "m-7"), "lifetime"));
        Assert.Equal(0, await db.SortedSetLengthAsync(RedisKeys.LotsDue(id)));
        Assert.Equal(2, (await GetLedgerAsync(id, "m-7")).Count(e => e.GetProperty("kind").GetString() == "expiry"));
    }
}
