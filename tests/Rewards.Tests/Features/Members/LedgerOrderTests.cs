using System.Net;
using System.Text.Json.Nodes;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Members;

/// <summary>
/// Awards, approvals and reversals write their ledger entries in one order (ledger.lua): the activity's own entry, then its
/// badges, then its tier change; a tier entry says by itself whether it is a drop.
/// </summary>
public sealed class LedgerOrderTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private async Task<string> ProgramAsync()
    {
        var id = NewId("lo");
        var body = JsonNode.Parse($$"""
            { "id": "{{id}}", "name": "Ledger order", "timeZone": "Europe/Paris",
              "rules": { "review": { "points": 50, "requiresApproval": true }, "share": { "points": 50 } },
              "tiers": [ { "name": "Bronze", "minLifetimePoints": 50 }, { "name": "Silver", "minLifetimePoints": 100 } ],
              "badges": [ { "id": "first-share", "name": "First share", "when": { "activityType": "share", "count": 1 } },
                          { "id": "first-review", "name": "First review", "when": { "activityType": "review", "count": 1 } } ] }
            """);
        await PostJsonAsync("/v1/programs", body, HttpStatusCode.Created);
        return id;
    }

    private async Task<string[]> KindsAsync(string programId, string member) =>
        [.. (await GetLedgerAsync(programId, member)).Select(e => e.GetProperty("kind").GetString()!)];

    [Fact]
    public async Task AwardAndApproval_WriteTheirEntries_InTheSameOrder()
    {
        var id = await ProgramAsync();
        await RecordAsync(id, "by-award", "share");
        var pending = (await RecordAsync(id, "by-approval", "review")).GetProperty("activityId").GetString();
        await PostJsonAsync($"/v1/programs/{id}/activities/{pending}/approve", null, HttpStatusCode.OK);

        // Newest first: the tier change, the badge, then the entry that earned them.
        Assert.Equal(["tier", "badge", "award"], await KindsAsync(id, "by-award"));
        Assert.Equal(["tier", "badge", "approval", "pending"], await KindsAsync(id, "by-approval"));
    }

    [Fact]
    public async Task ATierDrop_IsExplainedAsADrop_WhereverItSitsInThePage()
    {
        var id = await ProgramAsync();
        await RecordAsync(id, "m", "share");
        var second = (await RecordAsync(id, "m", "share")).GetProperty("activityId").GetString();
        await PostJsonAsync($"/v1/programs/{id}/activities/{second}/reverse", new { reason = "fake" }, HttpStatusCode.OK);

        var ledger = await GetLedgerAsync(id, "m");
        Assert.Equal(["tier", "reversal", "tier", "award", "tier", "badge", "award"], ledger.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal("Dropped to tier Bronze: a reversal lowered lifetime points.", ledger[0].GetProperty("description").GetString());
        Assert.Equal("Reached tier Silver.", ledger[2].GetProperty("description").GetString());
        Assert.Equal("Reached tier Bronze.", ledger[4].GetProperty("description").GetString());
        var oneEntryPage = await GetJsonAsync($"/v1/programs/{id}/members/m/ledger?limit=1");
        Assert.Equal(ledger[0].GetProperty("description").GetString(), oneEntryPage.GetProperty("entries")[0].GetProperty("description").GetString());
    }
}
