using Rewards.Api.Features.Members;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Members;

public sealed class MemberCodesTests
{
    [Fact]
    public void MemberStatus_RoundTrips() => WireCodeAssert.RoundTrips<MemberStatus>("active", "suspended", "erased");

    [Fact]
    public void LedgerKind_RoundTrips() =>
        WireCodeAssert.RoundTrips<LedgerKind>("award", "pending", "approval", "rejection", "reversal", "badge", "tier", "expiry", "adjustment", "redemption", "refund");

    [Fact]
    public void StatusChange_RoundTrips() => WireCodeAssert.RoundTrips<StatusChange>("suspend", "reinstate", "erase");

    [Fact]
    public void ScriptCodes_AreTheScriptsStrings()
    {
        WireCodeAssert.WrittenByScripts<MemberStatus>();
        WireCodeAssert.WrittenByScripts<LedgerKind>();
        WireCodeAssert.WrittenByScripts<StatusChange>();
    }
}
