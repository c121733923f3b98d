using Rewards.Api.Features.Leaderboards;
using Rewards.Api.Infrastructure;

namespace Rewards.Tests.Infrastructure;

/// <summary>The shapes ids must have before they reach a Redis key name or a URL.</summary>
public sealed class IdsTests
{
    [Theory]
    [InlineData("m-1", true)]
    [InlineData("a.b_c-D9", true)]
    [InlineData("...", true)]
    [InlineData(".", false)]  // dot-segments: removed from URLs, so the resource could never be read or erased
    [InlineData("..", false)]
    [InlineData("m-1\n", false)] // '$' would match before a final newline; the patterns anchor with \z
    [InlineData("\n", false)]
    [InlineData("m 1", false)]
    [InlineData("m{1}", false)]
    [InlineData("", false)]
    public void IsValidId_AcceptsOnlyAddressableIds(string id, bool valid) => Assert.Equal(valid, Ids.IsValidId(id));

    [Theory]
    [InlineData("review", true)]
    [InlineData("review\n", false)]
    [InlineData("Review", false)]
    public void IsValidActivityType_RefusesTrailingNewline(string type, bool valid) => Assert.Equal(valid, Ids.IsValidActivityType(type));

    [Fact]
    public void IsValidGeneratedId_RefusesTrailingNewline()
    {
        var id = Ids.NewId();
        Assert.True(Ids.IsValidGeneratedId(id));
        Assert.False(Ids.IsValidGeneratedId(id + "\n"));
    }

    [Theory]
    [InlineData("Alice", true)]
    [InlineData("Zoë Ångström", true)]
    [InlineData("👨\u200D👩\u200D👧 family", true)]     // zero-width joiner: one emoji
    [InlineData("می\u200Cخواهم", true)]              // zero-width non-joiner: Persian
    [InlineData("\u202Eecila", false)]               // right-to-left override: shows as "alice"
    [InlineData("Ali\u200Bce", false)]               // zero-width space: looks like "Alice"
    [InlineData("\uFEFFAlice", false)]               // byte-order mark
    [InlineData("Alice\n", false)]
    [InlineData("   ", false)]
    public void IsPlainText_RefusesControlAndDisguisingCharacters(string text, bool valid) => Assert.Equal(valid, Ids.IsPlainText(text, 64));

    [Theory]
    [InlineData(WindowKind.Day, "2026-11-18")]
    [InlineData(WindowKind.Week, "2026-W47")]
    [InlineData(WindowKind.Month, "2026-11")]
    public void PeriodIds_WithTrailingNewline_AreNotPeriods(WindowKind kind, string period)
    {
        Assert.NotNull(LeaderboardWindow.Parse(kind, period, TimeZoneInfo.Utc));
        Assert.Null(LeaderboardWindow.Parse(kind, period + "\n", TimeZoneInfo.Utc));
    }
}
