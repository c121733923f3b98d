using System.Net;
using System.Text.Json;
using Rewards.Api.Infrastructure.Time;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Programs;

/// <summary>Issue 13: time zones are suggested and stored canonically; messages say "Invalid" for a wrong value, "Required" for a missing one.</summary>
public sealed class ProgramValidationMessagesTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private async Task<JsonElement> ErrorsOfAsync(object body)
    {
        var response = await Client.PostAsync("/v1/programs", System.Net.Http.Json.JsonContent.Create(body));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
    }

    [Theory]
    [InlineData("Europe/Pari", "Europe/Paris")]
    [InlineData("Europe/Parsi", "Europe/Paris")]
    [InlineData("America/NewYork", "America/New_York")]
    [InlineData("Paris", "Europe/Paris")]
    public async Task MistypedTimeZone_IsInvalid_WithTheNearestIanaId(string given, string nearest)
    {
        var errors = await ErrorsOfAsync(new { id = NewId("p"), name = "Zones", timeZone = given, rules = new { } });

        Assert.Equal($"Invalid: '{given}' is not an IANA time zone id; did you mean '{nearest}'?", errors.GetProperty("timeZone")[0].GetString());
    }

    [Fact]
    public async Task MissingValues_AreRequired_AndWrongOnesInvalid()
    {
        var errors = await ErrorsOfAsync(new { id = "bad id", rules = new { review = new { points = 0 } } });

        Assert.StartsWith("Required: an IANA time zone id", errors.GetProperty("timeZone")[0].GetString());
        Assert.StartsWith("Required: ", errors.GetProperty("name")[0].GetString());
        Assert.StartsWith("Invalid: ", errors.GetProperty("id")[0].GetString());
        Assert.StartsWith("Invalid: ", errors.GetProperty("rules.review.points")[0].GetString());
    }

    [Fact]
    public async Task TimeZone_IsStoredWithItsCanonicalCasing()
    {
        var id = NewId("p");
        await PostJsonAsync("/v1/programs", new { id, name = "Casing", timeZone = "europe/paris", rules = new { } }, HttpStatusCode.Created);

        Assert.Equal("Europe/Paris", (await GetJsonAsync($"/v1/programs/{id}")).GetProperty("timeZone").GetString());
    }

    [Fact]
    public void NearestZone_IsNullWhenNothingIsClose() => Assert.Null(ProgramTime.NearestZoneId("Qqqqqqqqqq/Zzzzzzz"));
}
