using System.Text.Json;
using Rewards.Api.Features.Activities;
using Rewards.Api.Features.Leaderboards;
using Rewards.Api.Features.Members;
using Rewards.Api.Features.Perks;
using Rewards.Api.Infrastructure.Codes;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Infrastructure.OpenApi;

/// <summary>The committed document shows each code set as a string enum of its wire values, where answers carry it and requests send it.</summary>
public sealed class CodesInDocumentTests
{
    private static readonly JsonElement Document =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, OpenApiDocumentTests.CommittedPath))).RootElement;

    private static readonly JsonElement Schemas = Document.GetProperty("components").GetProperty("schemas");

    public static TheoryData<string, string, string[]> Properties => new()
    {
        { "ActivityResult", "status", [.. WireCode<ActivityStatus>.Wires] },
        { "ActivityResult", "reason", [.. WireCode<ActivityReason>.Wires] },
        { "ActivityView", "status", [.. WireCode<ActivityStatus>.Wires] },
        { "ActivityView", "reason", [.. WireCode<ActivityReason>.Wires] },
        { "ModerationResult", "status", [.. WireCode<ActivityStatus>.Wires] },
        { "MemberProfile", "status", [.. WireCode<MemberStatus>.Wires] },
        { "LedgerEntry", "kind", [.. WireCode<LedgerKind>.Wires] },
        { "PerkDefinition", "kind", [.. WireCode<PerkKind>.Wires] },
        { "Audience", "type", [.. WireCode<AudienceType>.Wires] },
        { "Schedule", "type", [.. WireCode<ScheduleType>.Wires] },
        { "PerkView", "status", [.. WireCode<PerkStatus>.Wires] },
        { "PerkRunView", "status", [.. WireCode<PerkRunStatus>.Wires] },
        { "MemberPerk", "kind", [.. WireCode<PerkKind>.Wires] },
        { "MemberPerk", "state", [.. WireCode<MemberPerkState>.Wires] },
        { "RsvpState", "state", [.. WireCode<MemberPerkState>.Wires] },
        { "CreatePerkRequest", "kind", [.. WireCode<PerkKind>.Wires] },
        { "AudienceRequest", "type", [.. WireCode<AudienceType>.Wires] },
        { "ScheduleRequest", "type", [.. WireCode<ScheduleType>.Wires] },
        { "PerkStatusRequest", "status", [PerkStatus.Paused.ToWire(), PerkStatus.Active.ToWire()] },
        { "RsvpRequest", "answer", [.. WireCode<RsvpAnswer>.Wires] },
        { "LeaderboardPage", "window", [.. WireCode<WindowKind>.Wires] },
        { "Audience", "window", [.. WireCode<WindowKind>.Wires] },
        { "Audience", "period", [.. WireCode<AudiencePeriod>.Wires] },
        { "AudienceRequest", "window", [.. WireCode<WindowKind>.Wires] },
        { "AudienceRequest", "period", [.. WireCode<AudiencePeriod>.Wires] },
        { "MemberStanding", "window", [.. WireCode<WindowKind>.Wires] },
        { "LeaderboardArchive", "window", [.. WireCode<WindowKind>.Wires] },
    };

    [Theory]
    [MemberData(nameof(Properties))]
    public void CodeProperty_IsAStringEnumOfTheWireValues(string schema, string property, string[] wires)
    {
        var p = Schemas.GetProperty(schema).GetProperty("properties").GetProperty(property);
        Assert.Equal("string", p.GetProperty("type").GetString());
        Assert.Equal(wires, p.GetProperty("enum").EnumerateArray().Select(e => e.GetString()!));
    }

    [Fact]
    public void EveryWindowQueryParameter_ListsTheWindows()
    {
        var windows = Document.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject())
            .SelectMany(o => o.Value.TryGetProperty("parameters", out var ps) ? ps.EnumerateArray() : Enumerable.Empty<JsonElement>())
            .Where(p => p.GetProperty("in").GetString() == "query" && p.GetProperty("name").GetString() == "window")
            .ToList();
        Assert.NotEmpty(windows);
        Assert.All(windows, w => Assert.Equal(WireCode<WindowKind>.Wires, w.GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!)));
    }

    [Fact]
    public void ReasonIsNullable_AsAnAwardedActivityHasNone()
    {
        Assert.True(Schemas.GetProperty("ActivityResult").GetProperty("properties").GetProperty("reason").GetProperty("nullable").GetBoolean());
    }
}
