using Rewards.Api.Features.Activities;
using Rewards.Api.Features.Members;
using Rewards.Api.Infrastructure.Codes;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Activities;

public sealed class ActivityCodesTests
{
    [Fact]
    public void ActivityStatus_RoundTrips() =>
        WireCodeAssert.RoundTrips<ActivityStatus>("awarded", "pending", "rejected", "reversed");

    [Fact]
    public void ActivityReason_RoundTrips() =>
        WireCodeAssert.RoundTrips<ActivityReason>("member_suspended", "member_erased", "duplicate_target", "cooldown", "already_referred",
            "daily_cap_reached", "weekly_cap_reached", "velocity");

    [Fact]
    public void ModerationAction_RoundTrips() =>
        WireCodeAssert.RoundTrips<ModerationAction>("approve", "reject", "reverse");

    [Fact]
    public void ScriptCodes_AreTheScriptsStrings()
    {
        WireCodeAssert.WrittenByScripts<ActivityStatus>();
        // award.lua builds the member reasons as 'member_' .. status.
        WireCodeAssert.WrittenByScripts<ActivityReason>("member_suspended", "member_erased");
        WireCodeAssert.WrittenByScripts<ModerationAction>();
    }

    /// <summary>Each reason has an explanation of its own; an automatic rejection is never blamed on a moderator.</summary>
    [Fact]
    public void EveryReason_HasItsOwnExplanation_InTheLedger()
    {
        var texts = WireCode<ActivityReason>.All.Select(r => LedgerText.RejectionText(r.ToWire())).ToList();

        Assert.Equal(texts.Count, texts.Distinct().Count());
        Assert.All(texts, t => Assert.DoesNotContain("moderation", t));
        Assert.Equal(WireCode<ActivityReason>.All.Select(ActivityCodes.Explain), texts);
        Assert.Equal("rejected by moderation (spam)", LedgerText.RejectionText("spam"));
        Assert.Equal("rejected by moderation", LedgerText.RejectionText(null));
    }

    [Fact]
    public void ReasonList_NamesEveryReason()
    {
        var list = ActivityCodes.ReasonList();
        Assert.All(WireCode<ActivityReason>.Wires, w => Assert.Contains($"`{w}`", list));
    }
}
