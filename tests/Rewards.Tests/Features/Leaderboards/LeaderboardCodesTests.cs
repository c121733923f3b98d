using Rewards.Api.Features.Leaderboards;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Leaderboards;

public sealed class LeaderboardCodesTests
{
    [Fact]
    public void WindowKind_RoundTrips() => WireCodeAssert.RoundTrips<WindowKind>("all", "day", "week", "month");

    [Theory]
    [InlineData(null, true, WindowKind.All)]
    [InlineData("week", true, WindowKind.Week)]
    [InlineData("Week", false, WindowKind.All)]
    [InlineData("", false, WindowKind.All)]
    public void TryParseKind_TakesTheWireStrings_AllByDefault(string? value, bool known, WindowKind expected)
    {
        Assert.Equal(known, LeaderboardWindow.TryParseKind(value, out var kind));
        Assert.Equal(expected, kind);
    }
}
