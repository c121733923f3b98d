using Rewards.Api.Features.Catalogue;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Catalogue;

public sealed class RewardCodesTests
{
    [Fact]
    public void RewardKind_RoundTrips() => WireCodeAssert.RoundTrips<RewardKind>("code", "voucher", "physical", "perk");

    [Fact]
    public void RedemptionState_RoundTrips() =>
        WireCodeAssert.RoundTrips<RedemptionState>("reserved", "confirmed", "fulfilled", "cancelled", "expired");

    [Fact]
    public void RedemptionRefusal_RoundTrips() => WireCodeAssert.RoundTrips<RedemptionRefusal>(
        "insufficient_points", "out_of_stock", "limit_reached", "not_eligible", "not_available", "member_suspended");

    [Fact]
    public void Voucher_UsesOnlyUnambiguousCharacters()
    {
        var vouchers = Enumerable.Range(0, 2000).Select(_ => RewardRules.NewVoucher()).ToList();
        Assert.Equal(vouchers.Count, vouchers.Distinct().Count());
        Assert.All(vouchers, v => Assert.Matches("^RV-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$", v));
        Assert.All(vouchers, v => Assert.DoesNotMatch("[OIL01]", v[3..]));
    }
}
