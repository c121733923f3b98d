using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Client;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Client;

/// <summary>The .NET client's typed events (<see cref="RewardsEvents"/>): the map agrees with the document, and reads real events.</summary>
public sealed class RewardsEventsTests(RewardsApiFactory factory) : ApiTest(factory)
{
    [Fact]
    public void DataTypes_AreTheDocumentsEventTypes_EachWithTheClassOfItsSchema()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "openapi", "rewards.v1.json")));
        var declared = document.RootElement.GetProperty("components").GetProperty("schemas").EnumerateObject()
            .Where(s => s.Value.TryGetProperty("x-event-type", out _))
            .ToDictionary(s => s.Value.GetProperty("x-event-type").GetString()!, s => s.Name);

        Assert.NotEmpty(declared);
        Assert.Equal(declared.OrderBy(d => d.Key, StringComparer.Ordinal),
            RewardsEvents.DataTypes.Select(d => KeyValuePair.Create(d.Key, d.Value.Name)).OrderBy(d => d.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_polled_event_reads_as_its_types_data_and_as_no_other()
    {
        var programId = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var (clientId, secret) = await CreateApiClientAsync(programId, "rewards.activities", "rewards.read");
        using var services = RewardsClientTests.Services(Factory, clientId, secret);
        var api = services.GetRequiredService<IRewardsApiClient>();
        var awarded = await api.RecordActivityAsync(programId, IdempotencyKeyHandler.NewKey(),
            new RecordActivityRequest { MemberId = "ivy", Type = "review", TargetId = "p1" });

        var evt = Assert.Single((await api.ListEventsAsync(programId, types: "activity.awarded")).Events!);

        Assert.True(evt.TryGetData<ActivityAwardedData>(out var data));
        Assert.Equal((awarded.ActivityId, 50L, 50L), (data.ActivityId, data.Points, data.Balance));
        Assert.False(evt.TryGetData<PointsExpiringData>(out _));
        Assert.IsType<ActivityAwardedData>(RewardsEvents.DataOf(evt));
        evt.Type = "points.gifted"; // not a type the API emits: no schema to read it with
        Assert.Null(RewardsEvents.DataOf(evt));
        Assert.False(evt.TryGetData<ActivityAwardedData>(out _));
    }
}
