using System.Text.Json;
using System.Text.RegularExpressions;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Http;

namespace Rewards.Tests.Infrastructure.Http;

/// <summary>Issue 13: one format for every timestamp the API writes, whether it came from the clock or from Redis.</summary>
public sealed partial class InstantFormatTests(RewardsApiFactory factory) : ApiTest(factory)
{
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$")]
    private static partial Regex Millis();

    [Fact]
    public async Task CreatedAt_HasTheSameMillisecondFormat_WhenCreatedAndWhenListed()
    {
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow.AddTicks(1_234_567)); // 123.4567 ms: 7 fractional digits on the clock
        var id = await CreateProgramAsync("{}");

        var created = await PostJsonAsync($"/v1/programs/{id}/clients", new { name = "c", scopes = new[] { Scopes.Read } }, System.Net.HttpStatusCode.Created);
        var listed = await GetJsonAsync($"/v1/programs/{id}/clients");

        var written = created.GetProperty("createdAt").GetString()!;
        Assert.Equal("2026-11-18T10:00:00.123+00:00", written);
        var entry = listed.ValueKind == JsonValueKind.Array ? listed[0] : listed.EnumerateObject().First(p => p.Value.ValueKind == JsonValueKind.Array).Value[0];
        Assert.Equal(written, entry.GetProperty("createdAt").GetString());
    }

    [Fact]
    public void Converter_WritesMilliseconds_AndKeepsTheOffset()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        HttpSetup.Configure(options);

        var written = JsonSerializer.Serialize(new DateTimeOffset(2026, 11, 18, 11, 0, 0, 123, TimeSpan.FromHours(1)).AddTicks(4567), options);
        Assert.Equal("2026-11-18T11:00:00.123+01:00", JsonSerializer.Deserialize<string>(written));
        Assert.Matches(Millis(), JsonSerializer.Deserialize<string>(JsonSerializer.Serialize(DateTimeOffset.UtcNow, options), options)!);
    }
}
