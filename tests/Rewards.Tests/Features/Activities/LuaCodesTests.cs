using System.Text.RegularExpressions;
using Rewards.Api.Features.Activities;
using Rewards.Api.Features.Members;
using Rewards.Api.Infrastructure.Codes;

namespace Rewards.Tests.Features.Activities;

/// <summary>Scripts/codes.lua (the Lua side's codes) and the C# code sets hold the same strings.</summary>
public sealed partial class LuaCodesTests
{
    private static readonly string Codes = new StreamReader(typeof(WireCode<>).Assembly
        .GetManifestResourceStream("Rewards.Api.Scripts.codes.lua")!).ReadToEnd();

    [Fact]
    public void MemberStatuses_Agree() => Assert.Equal(Set(WireCode<MemberStatus>.Wires), Table("status"));

    [Fact]
    public void ActivityStatuses_Agree() => Assert.Equal(Set(WireCode<ActivityStatus>.Wires), Table("outcome"));

    [Fact]
    public void LedgerKinds_Agree() => Assert.Equal(Set(WireCode<LedgerKind>.Wires), Table("ledger"));

    [Fact]
    public void RedemptionStates_Agree() => Assert.Equal(Set(WireCode<Rewards.Api.Features.Catalogue.RedemptionState>.Wires), Table("redemption"));

    [Fact]
    public void RedemptionRefusals_Agree() => Assert.Equal(Set(WireCode<Rewards.Api.Features.Catalogue.RedemptionRefusal>.Wires), Table("refusal"));

    [Fact]
    public void FulfilmentStatuses_Agree() => Assert.Equal(Set(WireCode<Rewards.Api.Features.Catalogue.FulfilmentStatus>.Wires), Table("fulfilment"));

    /// <summary>codes.lua holds 'member_' as a prefix: the member reasons are it and each non-active member status.</summary>
    [Fact]
    public void Reasons_Agree()
    {
        var lua = Table("reason");
        Assert.Contains("member_", lua);
        var expanded = lua.Where(r => r != "member_")
            .Concat(WireCode<MemberStatus>.All.Where(s => s != MemberStatus.Active).Select(s => "member_" + s.ToWire()));
        Assert.Equal(Set(WireCode<ActivityReason>.Wires), Set(expanded));
    }

    private static SortedSet<string> Set(IEnumerable<string> values) => new(values, StringComparer.Ordinal);

    /// <summary>The quoted strings of one table of codes.lua (`name = { ... }`).</summary>
    private static SortedSet<string> Table(string name)
    {
        var match = Regex.Match(Codes, $@"\b{name}\s*=\s*\{{([^}}]*)\}}");
        Assert.True(match.Success, $"codes.lua has no table '{name}'");
        return Set(QuotedPattern().Matches(match.Groups[1].Value).Select(m => m.Groups[1].Value));
    }

    [GeneratedRegex("'([^']*)'")]
    private static partial Regex QuotedPattern();
}
