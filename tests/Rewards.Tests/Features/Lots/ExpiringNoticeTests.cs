using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Lots;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Tests.Features.Events;
using Rewards.Tests.Infrastructure;
using StackExchange.Redis;

namespace Rewards.Tests.Features.Lots;

/// <summary>
/// The 'points.expiring' event (docs/points-expiry.md, "Expiring soon"): the program setting expiringNoticeDays, the expiry
/// job's notice pass announcing each lot once, with what it still holds, in the program's local days.
/// </summary>
public sealed class ExpiringNoticeTests(RewardsApiFactory factory) : EventTest(factory)
{
    // 2026-11-18 10:00Z (DefaultNow) is 11:00 in Paris: a gift then is spendable through 2027-11-18 under P12M, expiring at
    // that day's local midnight, 2027-11-18 23:00Z (winter time).
    private static readonly DateTimeOffset FirstLotExpiresAt = new(2027, 11, 18, 23, 0, 0, TimeSpan.Zero);

    // With 30 days' notice the lot of 2027-11-18 is announced from local day 2027-10-20 on (horizon: today + 29 days), whose
    // midnight in Paris is still summer time (UTC+2, until 2027-10-31): 2027-10-19 22:00Z.
    private static readonly DateTimeOffset NoticeOfFirstLot = new(2027, 10, 19, 22, 0, 0, TimeSpan.Zero);

    private Task<string> ProgramAsync(int? noticeDays, string pointsExpiry = "P12M") => CreateProgramAsync(new Dictionary<string, object?>
    {
        ["rules"] = new Dictionary<string, object> { ["gift"] = new { points = 100 } },
        ["pointsExpiry"] = pointsExpiry,
        ["expiringNoticeDays"] = noticeDays,
    });

    private async Task<ProgramSnapshot> ProgramOf(string programId) =>
        (await Factory.Services.GetRequiredService<ProgramStore>().FindAsync(programId, reload: true))!;

    private async Task<NoticePass> NoticeAsync(string programId, int chunk = LotStore.NoticeChunk) =>
        await Factory.Services.GetRequiredService<LotStore>().NoticeAsync(await ProgramOf(programId), chunk);

    private async Task<ExpiryPass> ExpireAsync(string programId) =>
        await Factory.Services.GetRequiredService<LotStore>().ExpireAsync(await ProgramOf(programId));

    private async Task<List<JsonElement>> ExpiringEventsAsync(string programId, string? memberId = null) =>
        [.. (await EventsAsync(programId)).Where(e => TypeOf(e) == "points.expiring" && (memberId is null || MemberOf(e) == memberId))];

    private static List<(string ExpiresOn, DateTimeOffset ExpiresAt, long Points)> LotsOf(JsonElement e) =>
        [.. Data(e).GetProperty("lots").EnumerateArray().Select(l => (l.GetProperty("expiresOn").GetString()!,
            l.GetProperty("expiresAt").GetDateTimeOffset(), l.GetProperty("points").GetInt64()))];

    private async Task<JsonElement> AdjustAsync(string programId, string memberId, long points)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{programId}/members/{memberId}/adjustments")
        {
            Content = JsonContent.Create(new { points, reason = "correction", note = "test" }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private Task<HttpResponseMessage> PatchProgramAsync(string programId, string json) =>
        Client.PatchAsync($"/v1/programs/{programId}", new StringContent(json, Encoding.UTF8, "application/merge-patch+json"));

    [Theory]
    [InlineData(-1)]
    [InlineData(91)]
    public async Task ExpiringNoticeDays_OutOfBounds_IsRefused_AndChangesNothing(int days)
    {
        var id = NewId("p");
        var response = await Client.PostAsJsonAsync("/v1/programs",
            new { id, name = "x", timeZone = "UTC", rules = new { }, pointsExpiry = "P12M", expiringNoticeDays = days });
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("1 to 90", problem.GetProperty("errors").GetProperty("expiringNoticeDays")[0].GetString());
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}"), HttpStatusCode.NotFound);

        var existing = await ProgramAsync(7);
        await AssertProblemAsync(await PatchProgramAsync(existing, $$"""{"expiringNoticeDays": {{days}}}"""), HttpStatusCode.BadRequest);
        Assert.Equal(7, (await GetJsonAsync($"/v1/programs/{existing}")).GetProperty("expiringNoticeDays").GetInt32());
    }

    [Fact]
    public async Task ExpiringNoticeDays_IsStored_Patched_AndOffByDefault()
    {
        var id = await ProgramAsync(null);
        Assert.Equal(0, (await GetJsonAsync($"/v1/programs/{id}")).GetProperty("expiringNoticeDays").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await PatchProgramAsync(id, """{"expiringNoticeDays": 90}""")).StatusCode);
        Assert.Equal(90, (await GetJsonAsync($"/v1/programs/{id}")).GetProperty("expiringNoticeDays").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await PatchProgramAsync(id, """{"expiringNoticeDays": 0}""")).StatusCode);
        Assert.Equal(0, (await GetJsonAsync($"/v1/programs/{id}")).GetProperty("expiringNoticeDays").GetInt32());
    }

    [Fact]
    [Emits("points.expiring")]
    public async Task Expiring_IsAnnouncedOncePerLot_OnTheFirstLocalDayWithinTheNotice_AcrossPassesAndReruns()
    {
        var id = await ProgramAsync(30);
        await RecordAsync(id, "alice", "gift");
        await RecordAsync(id, "bob", "gift");
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddDays(2));
        await RecordAsync(id, "alice", "gift"); // a later lot: 2027-11-20
        Factory.SetUtcNow(new DateTimeOffset(2027, 1, 1, 10, 0, 0, TimeSpan.Zero));
        await RecordAsync(id, "carol", "gift"); // 2028-01-01: outside the notice all along

        Factory.SetUtcNow(NoticeOfFirstLot.AddMinutes(-1));
        Assert.Equal(0, (await NoticeAsync(id)).Lots);
        Assert.Empty(await ExpiringEventsAsync(id));

        Factory.SetUtcNow(NoticeOfFirstLot);
        var pass = await NoticeAsync(id);
        Assert.Equal((false, 2L, 2L, 200L), (pass.Skipped, pass.Told, pass.Lots, pass.Points));
        var events = await ExpiringEventsAsync(id);
        Assert.Equal(["alice", "bob"], events.Select(MemberOf).Order(StringComparer.Ordinal));
        var alices = events.Single(e => MemberOf(e) == "alice");
        Assert.Equal((100L, 200L), (Data(alices).GetProperty("points").GetInt64(), Data(alices).GetProperty("balance").GetInt64()));
        Assert.Equal([("2027-11-18", FirstLotExpiresAt, 100L)], LotsOf(alices));
        Assert.Equal(NoticeOfFirstLot, alices.GetProperty("occurredAt").GetDateTimeOffset());

        // Re-runs: the day's pass is done (skipped), and when it runs again anyway (its record lost, two instances at once),
        // the members' marks announce nothing twice.
        Assert.True((await NoticeAsync(id)).Skipped);
        await Factory.Redis.GetDatabase().KeyDeleteAsync(RedisKeys.LotsNotice(id));
        var again = await Task.WhenAll(NoticeAsync(id), NoticeAsync(id));
        Assert.All(again, p => Assert.Equal(0, p.Lots));
        Assert.Equal(2, (await ExpiringEventsAsync(id)).Count);

        // Two local days later the horizon reaches alice's second lot (2027-11-20): announced alone, in a second event.
        Factory.SetUtcNow(NoticeOfFirstLot.AddDays(2));
        Assert.Equal(1, (await NoticeAsync(id)).Lots);
        Factory.SetUtcNow(NoticeOfFirstLot.AddDays(3));
        Assert.Equal(0, (await NoticeAsync(id)).Lots);
        var alice = await ExpiringEventsAsync(id, "alice");
        Assert.Equal(2, alice.Count);
        Assert.Equal([("2027-11-20", FirstLotExpiresAt.AddDays(2), 100L)], LotsOf(alice[1]));
        Assert.Single(await ExpiringEventsAsync(id, "bob"));
        Assert.Empty(await ExpiringEventsAsync(id, "carol"));

        // Once a member's last lot has expired, the mark goes with it.
        var db = Factory.Redis.GetDatabase();
        Assert.Equal("20271120", (string?)await db.HashGetAsync(RedisKeys.Member(id, "alice"), MemberFields.ExpiringNoticed));
        Factory.SetUtcNow(FirstLotExpiresAt.AddDays(2));
        Assert.Equal(3, (await ExpireAsync(id)).Lots); // alice's two, bob's one
        Assert.False(await db.HashExistsAsync(RedisKeys.Member(id, "alice"), MemberFields.ExpiringNoticed));
        Assert.False(await db.HashExistsAsync(RedisKeys.Member(id, "bob"), MemberFields.ExpiringNoticed));
        Assert.Equal(2, (await ExpiringEventsAsync(id)).Count(e => MemberOf(e) == "alice"));
    }

    [Fact]
    public async Task RecurringJob_AnnouncesAfterTheExpiry_AndRecordsWhatItAnnounced()
    {
        var id = await ProgramAsync(30);
        await RecordAsync(id, "alice", "gift");
        Factory.SetUtcNow(NoticeOfFirstLot);
        var job = Factory.Services.GetRequiredService<LotExpiryJob>();
        await job.ExpireAllAsync();
        var pass = await Factory.Redis.GetDatabase().HashGetAllAsync(RedisKeys.LotExpiryPass);
        Assert.True((long)pass.Single(e => e.Name == "noticed").Value >= 1);
        await job.ExpireAllAsync();
        var e = Assert.Single(await ExpiringEventsAsync(id));
        Assert.Equal([("2027-11-18", FirstLotExpiresAt, 100L)], LotsOf(e));
    }

    [Fact]
    public async Task OneDaysNotice_AnnouncesALotOnItsLastLocalDay_InTheProgramsZone_AcrossADaylightSavingChange()
    {
        // New York moves to daylight time on 2027-03-14. A P1D lot earned on 2027-03-13 is spendable through 2027-03-14: with
        // one day's notice it is announced from that day's local midnight (05:00Z, still winter time) and expires at the next
        // one, 2027-03-15 00:00 EDT = 04:00Z.
        var id = await CreateProgramAsync(new Dictionary<string, object?>
        {
            ["timeZone"] = "America/New_York",
            ["rules"] = new Dictionary<string, object> { ["gift"] = new { points = 100 } },
            ["pointsExpiry"] = "P1D",
            ["expiringNoticeDays"] = 1,
        });
        Factory.SetUtcNow(new DateTimeOffset(2027, 3, 13, 15, 0, 0, TimeSpan.Zero));
        await RecordAsync(id, "alice", "gift");
        Assert.Equal(0, (await NoticeAsync(id)).Lots);
        Factory.SetUtcNow(new DateTimeOffset(2027, 3, 14, 4, 59, 0, TimeSpan.Zero));
        Assert.Equal(0, (await NoticeAsync(id)).Lots);
        Factory.SetUtcNow(new DateTimeOffset(2027, 3, 14, 5, 0, 0, TimeSpan.Zero));
        Assert.Equal(1, (await NoticeAsync(id)).Lots);
        var e = Assert.Single(await ExpiringEventsAsync(id));
        Assert.Equal([("2027-03-14", new DateTimeOffset(2027, 3, 15, 4, 0, 0, TimeSpan.Zero), 100L)], LotsOf(e));
    }

    [Fact]
    public async Task Expiring_IsNotEmitted_WhenTheSettingIsOff()
    {
        var id = await ProgramAsync(null);
        await RecordAsync(id, "alice", "gift");
        Factory.SetUtcNow(NoticeOfFirstLot.AddDays(20));
        Assert.True((await NoticeAsync(id)).Skipped);
        Assert.Empty(await ExpiringEventsAsync(id));
        Assert.False(await Factory.Redis.GetDatabase().HashExistsAsync(RedisKeys.Member(id, "alice"), MemberFields.ExpiringNoticed));
    }

    [Fact]
    public async Task Expiring_AnnouncesWhatIsLeft_ASpentLotNot_APartlySpentLotItsRest()
    {
        var id = await ProgramAsync(30);
        await RecordAsync(id, "alice", "gift");                    // 2027-11-18: 100
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddDays(1));
        await RecordAsync(id, "alice", "gift");                    // 2027-11-19: 100
        await AdjustAsync(id, "alice", -150);                      // takes the first lot and 50 of the second

        Factory.SetUtcNow(NoticeOfFirstLot.AddDays(1));            // the horizon covers both dates
        await NoticeAsync(id);
        var e = Assert.Single(await ExpiringEventsAsync(id, "alice"));
        Assert.Equal([("2027-11-19", FirstLotExpiresAt.AddDays(1), 50L)], LotsOf(e));
        Assert.Equal((50L, 50L), (Data(e).GetProperty("points").GetInt64(), Data(e).GetProperty("balance").GetInt64()));
    }

    [Fact]
    public async Task Expiring_FollowsTheSetting_ALongerNoticeAnnouncesTheLotsItNowCovers_TheSameDay()
    {
        var id = await ProgramAsync(10);
        await RecordAsync(id, "alice", "gift");
        Factory.SetUtcNow(NoticeOfFirstLot);                       // 30 days before: outside a 10-day notice
        Assert.Equal(0, (await NoticeAsync(id)).Lots);
        Assert.Equal(HttpStatusCode.OK, (await PatchProgramAsync(id, """{"expiringNoticeDays": 30}""")).StatusCode);
        Assert.Equal(1, (await NoticeAsync(id)).Lots);             // the horizon moved: the pass runs again at once
        Assert.Equal(HttpStatusCode.OK, (await PatchProgramAsync(id, """{"expiringNoticeDays": 5}""")).StatusCode);
        Factory.SetUtcNow(FirstLotExpiresAt.AddDays(-3));
        Assert.Equal(0, (await NoticeAsync(id)).Lots);             // a shorter notice does not announce the same lot again
        Assert.Single(await ExpiringEventsAsync(id, "alice"));
    }

    [Fact]
    public async Task Expiring_VisitsEveryDueMemberOnce_ChunkAfterChunk_EvenWhenManyShareAnExpiryDate()
    {
        var id = await ProgramAsync(30);
        foreach (var m in new[] { "m1", "m2", "m3" })
        {
            await RecordAsync(id, m, "gift");                      // 2027-11-18
        }
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddDays(1));
        foreach (var m in new[] { "m4", "m5" })
        {
            await RecordAsync(id, m, "gift");                      // 2027-11-19
        }
        Factory.SetUtcNow(NoticeOfFirstLot.AddDays(1));
        var pass = await NoticeAsync(id, chunk: 2);
        Assert.Equal((5L, 5L), (pass.Members, pass.Told));
        Assert.Equal(["m1", "m2", "m3", "m4", "m5"], (await ExpiringEventsAsync(id)).Select(e => MemberOf(e)!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Erasure_RemovesTheLots_TheDueEntry_AndTheMark()
    {
        var id = await ProgramAsync(30);
        await RecordAsync(id, "alice", "gift");
        await RecordAsync(id, "bob", "gift");
        Factory.SetUtcNow(NoticeOfFirstLot);
        await NoticeAsync(id);
        var db = Factory.Redis.GetDatabase();
        Assert.True(await db.HashExistsAsync(RedisKeys.Member(id, "alice"), MemberFields.ExpiringNoticed));

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/members/alice")).StatusCode);
        Assert.False(await db.KeyExistsAsync(RedisKeys.MemberLots(id, "alice")));
        Assert.Null(await db.SortedSetScoreAsync(RedisKeys.LotsDue(id), "alice"));
        Assert.False(await db.HashExistsAsync(RedisKeys.Member(id, "alice"), MemberFields.ExpiringNoticed));
        // Bob is untouched; nothing of alice expires any more (her balance stays as a figure).
        Assert.True(await db.KeyExistsAsync(RedisKeys.MemberLots(id, "bob")));
        Assert.NotNull(await db.SortedSetScoreAsync(RedisKeys.LotsDue(id), "bob"));
        Factory.SetUtcNow(FirstLotExpiresAt);
        var pass = await ExpireAsync(id);
        Assert.Equal((1L, 100L), (pass.Lots, pass.Points));
        Assert.Equal(100L, (long)await db.HashGetAsync(RedisKeys.Member(id, "alice"), MemberFields.Balance));
    }

    [Fact]
    public async Task Erasure_WithAnOpenHold_ItsRefundAfterwardsExpiresWithoutAnyEvent()
    {
        var id = await ProgramAsync(30);
        await RecordAsync(id, "alice", "gift");
        var reward = (await PostJsonAsync($"/v1/programs/{id}/rewards",
            new { kind = "voucher", title = new { @default = "Free coffee" }, costPoints = 40 }, HttpStatusCode.Created))
            .GetProperty("reward").GetProperty("rewardId").GetString()!;
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{id}/members/alice/redemptions")
        {
            Content = JsonContent.Create(new { rewardId = reward, hold = true }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, (await Client.SendAsync(request)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/members/alice")).StatusCode);

        // The hold expires after erasure: its refund puts 40 points back into their lot; they expire with no event.
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddHours(1));
        await Factory.Services.GetRequiredService<Rewards.Api.Features.Catalogue.HoldExpiryJob>().RunAsync(id);
        var db = Factory.Redis.GetDatabase();
        Assert.Equal(40L, (long)await db.HashGetAsync(RedisKeys.MemberLots(id, "alice"), "20271118"));
        Factory.SetUtcNow(NoticeOfFirstLot);
        Assert.Equal(0, (await NoticeAsync(id)).Told);
        Factory.SetUtcNow(FirstLotExpiresAt);
        Assert.Equal(40, (await ExpireAsync(id)).Points);
        Assert.False(await db.KeyExistsAsync(RedisKeys.MemberLots(id, "alice")));
        var after = (await EventsAsync(id)).Where(e => MemberOf(e) == "alice").Select(TypeOf).ToList();
        Assert.Equal("member.erased", after[^1]);
    }
}
