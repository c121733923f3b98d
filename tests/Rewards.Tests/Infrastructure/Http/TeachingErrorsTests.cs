using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Tests.Infrastructure.Http;

/// <summary>Issue 13, "Errors that teach": unreadable bodies, for every endpoint, say what to change.</summary>
public sealed class TeachingErrorsTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private async Task<(HttpStatusCode Status, string Detail)> PostRawAsync(string url, string? body, string? contentType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
        }
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var response = await Client.SendAsync(request);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (response.StatusCode, problem.GetProperty("detail").GetString()!);
    }

    [Fact]
    public async Task UnknownProperty_IsNamed_WithTheClosestField()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");

        var (status, detail) = await PostRawAsync($"/v1/programs/{id}/activities", """{ "member": "m-1", "type": "review" }""", "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("`member` is not a field of this request; did you mean `memberId`?", detail);
    }

    [Fact]
    public async Task UnknownNestedProperty_IsNamedByItsPath_WithTheClosestFieldOfItsObject()
    {
        var (status, detail) = await PostRawAsync("/v1/programs",
            """{ "id": "p-typo", "name": "Typo", "timeZone": "UTC", "rules": { "review": { "pointz": 5 } } }""", "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("`rules.review.pointz` is not a field of this request; did you mean `points`?", detail);
    }

    [Fact]
    public async Task UnknownProperty_FarFromEveryField_ListsTheFields()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");

        var (_, detail) = await PostRawAsync($"/v1/programs/{id}/activities", """{ "memberId": "m-1", "type": "review", "zzz": 1 }""", "application/json");

        Assert.StartsWith("`zzz` is not a field of this request; its fields here are: ", detail);
        Assert.Contains("memberId", detail);
        Assert.Contains("occurredAt", detail);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public async Task EmptyBody_SaysAJsonBodyIsRequired(string? body)
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");

        var (status, detail) = await PostRawAsync($"/v1/programs/{id}/activities", body, body is null ? null : "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("A JSON body is required", detail);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task MissingOrWrongContentType_Is415_NamingApplicationJson(string? contentType)
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");

        var (status, detail) = await PostRawAsync($"/v1/programs/{id}/activities", """{ "memberId": "m-1", "type": "review" }""", contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("Content-Type: application/json", detail);
        Assert.Contains(contentType is null ? "no Content-Type was sent" : $"got '{contentType}'", detail);
    }

    [Fact]
    public async Task ValidationProblem_HasADetail_ThatReadsOnItsOwn()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");

        var (status, detail) = await PostRawAsync($"/v1/programs/{id}/activities", """{ "memberId": "bad id", "type": "review" }""", "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("memberId: ", detail);
    }

    [Theory]
    [InlineData("member", "memberId")]
    [InlineData("memberid", "memberId")]
    [InlineData("ocurredAt", "occurredAt")]
    [InlineData("typ", "type")]
    [InlineData("qqqqqq", null)]
    public void Closest_FindsCaseEditAndPrefixMatches(string given, string? expected) =>
        Assert.Equal(expected, Suggestions.Closest(given, ["memberId", "type", "targetId", "occurredAt"]));
}
