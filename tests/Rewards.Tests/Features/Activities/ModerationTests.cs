using System.Net;
using System.Net.Http.Json;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Activities;

public sealed class ModerationTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private string Url(string programId, string activityId, string action) => $"/v1/programs/{programId}/activities/{activityId}/{action}";

    [Fact]
    public async Task PendingActivity_AwardsNothing_UntilApproved()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50, "requiresApproval": true } }""");

        var answer = await RecordAsync(id, "m-1", "review", "p-1");
        Assert.Equal("pending", answer.GetProperty("status").GetString());
        Assert.Equal(0, answer.GetProperty("points").GetInt32());
        Assert.Equal(50, answer.GetProperty("pendingPoints").GetInt32());
        Assert.Equal(0, answer.GetProperty("balance").GetInt64());

        var approved = await PostJsonAsync(Url(id, answer.GetProperty("activityId").GetString()!, "approve"), null, HttpStatusCode.OK);

        Assert.Equal("awarded", approved.GetProperty("status").GetString());
        Assert.Equal(50, approved.GetProperty("balance").GetInt64());
        var member = await GetMemberAsync(id, "m-1");
        Assert.Equal(50, member.GetProperty("lifetimePoints").GetInt64());
        var ledger = await GetLedgerAsync(id, "m-1");
        Assert.Equal(["approval", "pending"], ledger.Select(e => e.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task RejectingPending_ReleasesItsCapAndTargetSlots()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50, "dailyCap": 1, "uniquePerTarget": true, "requiresApproval": true } }""");
        var first = await RecordAsync(id, "m-1", "review", "p-1");
        Assert.Equal("daily_cap_reached", (await RecordAsync(id, "m-1", "review", "p-2")).GetProperty("reason").GetString());

        var rejected = await PostJsonAsync(Url(id, first.GetProperty("activityId").GetString()!, "reject"), new { reason = "spam" }, HttpStatusCode.OK);

        Assert.Equal("rejected", rejected.GetProperty("status").GetString());
        Assert.Equal(0, rejected.GetProperty("balance").GetInt64());
        Assert.Equal("pending", (await RecordAsync(id, "m-1", "review", "p-1")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Reversal_ClawsBackPoints_Once()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 }, "share": { "points": 10 } }""");
        await RecordAsync(id, "m-1", "share");
        var review = (await RecordAsync(id, "m-1", "review")).GetProperty("activityId").GetString()!;

        var reversed = await PostJsonAsync(Url(id, review, "reverse"), new { reason = "fake review" }, HttpStatusCode.OK);
        var again = await Client.PostAsJsonAsync(Url(id, review, "reverse"), new { reason = "again" });

        Assert.Equal("reversed", reversed.GetProperty("status").GetString());
        Assert.Equal(-50, reversed.GetProperty("points").GetInt64());
        Assert.Equal(10, reversed.GetProperty("balance").GetInt64());
        Assert.Equal(10, reversed.GetProperty("lifetimePoints").GetInt64());
        await AssertProblemAsync(again, HttpStatusCode.Conflict);
        var ledger = await GetLedgerAsync(id, "m-1");
        Assert.Equal("reversal", ledger[0].GetProperty("kind").GetString());
        Assert.Equal(-50, ledger[0].GetProperty("points").GetInt64());
        Assert.Contains("fake review", ledger[0].GetProperty("description").GetString());
        Assert.Equal(10, ledger.Sum(e => e.GetProperty("points").GetInt64()));
    }

    [Fact]
    public async Task InvalidTransitions_Conflict_AndChangeNothing()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50, "requiresApproval": true }, "share": { "points": 10 } }""");
        var pending = (await RecordAsync(id, "m-1", "review")).GetProperty("activityId").GetString()!;
        var awarded = (await RecordAsync(id, "m-1", "share")).GetProperty("activityId").GetString()!;

        await AssertProblemAsync(await Client.PostAsJsonAsync(Url(id, pending, "reverse"), new { reason = "x" }), HttpStatusCode.Conflict);
        await AssertProblemAsync(await Client.PostAsync(Url(id, awarded, "approve"), null), HttpStatusCode.Conflict);
        await AssertProblemAsync(await Client.PostAsync(Url(id, awarded, "reject"), null), HttpStatusCode.Conflict);
        await PostJsonAsync(Url(id, pending, "reject"), null, HttpStatusCode.OK);
        await AssertProblemAsync(await Client.PostAsync(Url(id, pending, "approve"), null), HttpStatusCode.Conflict);

        Assert.Equal(10, (await GetMemberAsync(id, "m-1")).GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task Reversal_RequiresReason_AndUnknownActivityIsNotFound()
    {
        var id = await CreateProgramAsync("""{ "share": { "points": 10 } }""");
        var awarded = (await RecordAsync(id, "m-1", "share")).GetProperty("activityId").GetString()!;

        await AssertProblemAsync(await Client.PostAsJsonAsync(Url(id, awarded, "reverse"), new { }), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await Client.PostAsync(Url(id, new string('0', 32), "approve"), null), HttpStatusCode.NotFound);
        await AssertProblemAsync(await Client.PostAsync(Url(id, "../../etc", "approve"), null), HttpStatusCode.NotFound);
        Assert.Equal(10, (await GetMemberAsync(id, "m-1")).GetProperty("balance").GetInt64());
    }
}
