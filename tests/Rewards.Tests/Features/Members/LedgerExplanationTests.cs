using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Members;

public sealed class LedgerExplanationTests(RewardsApiFactory factory) : ApiTest(factory)
{
    /// <summary>The drift issue 11 found: a referral refused by the rule was explained as "rejected by moderation".</summary>
    [Fact]
    public async Task Ledger_ExplainsAnAlreadyReferredRejection_ByItsRule()
    {
        var id = await CreateProgramAsync("""{ "referral": { "points": 100 } }""");
        await RecordAsync(id, "ann", "referral", "newbie");
        var refused = await RecordAsync(id, "bob", "referral", "newbie");
        Assert.Equal("already_referred", refused.GetProperty("reason").GetString());

        var entry = Assert.Single(await GetLedgerAsync(id, "bob"));

        Assert.Equal(("rejection", "already_referred"), (entry.GetProperty("kind").GetString(), entry.GetProperty("reason").GetString()));
        Assert.Equal("No points for referral on 'newbie': this member was already referred.", entry.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Ledger_ExplainsAModeratorsRejection_WithTheirReason()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50, "requiresApproval": true } }""");
        var pending = await RecordAsync(id, "ann", "review", "item-1");
        await PostJsonAsync($"/v1/programs/{id}/activities/{pending.GetProperty("activityId").GetString()}/reject", new { reason = "spam" },
            System.Net.HttpStatusCode.OK);

        var entry = (await GetLedgerAsync(id, "ann"))[0];

        Assert.Equal("No points for review on 'item-1': rejected by moderation (spam).", entry.GetProperty("description").GetString());
    }
}
