using Rewards.Api.Features.Perks;
using Rewards.Api.Infrastructure.Codes;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Perks;

public sealed class PerkCodesTests
{
    [Fact]
    public void PerkKind_RoundTrips() => WireCodeAssert.RoundTrips<PerkKind>("offer", "event", "news");

    [Fact]
    public void PerkStatus_RoundTrips() => WireCodeAssert.RoundTrips<PerkStatus>("active", "paused", "deleted");

    [Fact]
    public void PerkRunStatus_RoundTrips() => WireCodeAssert.RoundTrips<PerkRunStatus>("snapshotting", "granting", "done");

    [Fact]
    public void AudienceType_RoundTrips() =>
        WireCodeAssert.RoundTrips<AudienceType>("all", "members", "minLifetimePoints", "minTier", "badge", "top");

    [Fact]
    public void AudiencePeriod_RoundTrips() => WireCodeAssert.RoundTrips<AudiencePeriod>("current", "last");

    [Fact]
    public void ScheduleType_RoundTrips() => WireCodeAssert.RoundTrips<ScheduleType>("now", "at", "cron");

    [Fact]
    public void MemberPerkState_RoundTrips() =>
        WireCodeAssert.RoundTrips<MemberPerkState>("new", "claimed", "expired", "invited", "accepted", "waitlisted", "declined");

    [Fact]
    public void ClaimOutcome_RoundTrips() => WireCodeAssert.RoundTrips<ClaimOutcome>("code", "none", "expired", "empty");

    [Fact]
    public void RsvpAnswer_RoundTrips() => WireCodeAssert.RoundTrips<RsvpAnswer>("accept", "decline");

    [Fact]
    public void RsvpOutcome_RoundTrips() => WireCodeAssert.RoundTrips<RsvpOutcome>("accepted", "waitlisted", "declined", "none");

    [Fact]
    public void ScriptCodes_AreTheScriptsStrings()
    {
        WireCodeAssert.WrittenByScripts<ClaimOutcome>();
        WireCodeAssert.WrittenByScripts<RsvpAnswer>("decline"); // perk-rsvp.lua takes any answer but accept as a decline
        WireCodeAssert.WrittenByScripts<RsvpOutcome>();
        WireCodeAssert.WrittenByScripts<PerkRunStatus>("snapshotting"); // written by PerkGrantJob, read by perk-grant-chunk.lua
    }

    [Fact]
    public void EveryMemberPerkState_BelongsToAKind() =>
        Assert.Equal(WireCode<MemberPerkState>.All.Order(), WireCode<PerkKind>.All.SelectMany(PerkCodes.StatesOf).Distinct().Order());

    [Fact]
    public void CodeLists_NameEveryValue()
    {
        Assert.All(WireCode<AudienceType>.Wires, w => Assert.Contains($"`{w}`", PerkCodes.List<AudienceType>(PerkCodes.Explain)));
        Assert.All(WireCode<ScheduleType>.Wires, w => Assert.Contains($"`{w}`", PerkCodes.List<ScheduleType>(PerkCodes.Explain)));
        Assert.All(WireCode<PerkKind>.Wires, w => Assert.Contains($"`{w}`", PerkCodes.List<PerkKind>(PerkCodes.Explain)));
    }
}
