using System.Net;
using System.Text.Json;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Programs;

/// <summary>Browser calls: each program lists the origins allowed to call its routes; nothing is allowed by default.</summary>
public sealed class CorsTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private const string Rules = """{ "review": { "points": 50 } }""";
    private const string Shop = "https://shop.example";
    private const string OtherShop = "https://other.example";

    private Task<string> ProgramWithOriginsAsync(params string[] origins) => CreateProgramAsync(new
    {
        rules = new { review = new { points = 50 } },
        cors = new { allowedOrigins = origins },
    });

    private async Task<HttpResponseMessage> PreflightAsync(string url, string origin, string method = "GET", string? headers = "authorization")
    {
        using var anonymous = Factory.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Options, url);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        if (headers is not null)
        {
            request.Headers.Add("Access-Control-Request-Headers", headers);
        }
        return await anonymous.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private static void AssertVariesByOrigin(HttpResponseMessage response) =>
        Assert.Equal(["Origin"], response.Headers.Vary.Where(v => v.Equals("Origin", StringComparison.OrdinalIgnoreCase)));

    [Fact]
    public async Task Preflight_FromAnAllowedOrigin_AllowsTheMethodAndTheApiHeaders_WithoutCredentials()
    {
        var program = await ProgramWithOriginsAsync(Shop, "http://localhost:5173");

        var response = await PreflightAsync($"/v1/programs/{program}/members/me/perks/p1/claim", Shop, "POST",
            "authorization, content-type, idempotency-key");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Shop, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("POST", Header(response, "Access-Control-Allow-Methods")!.Split(','));
        var allowedHeaders = Header(response, "Access-Control-Allow-Headers")!.Split(',').Select(h => h.Trim().ToLowerInvariant()).ToHashSet();
        Assert.Superset(new HashSet<string> { "authorization", "content-type", "idempotency-key" }, allowedHeaders);
        Assert.Null(Header(response, "Access-Control-Allow-Credentials"));
        Assert.NotNull(Header(response, "Access-Control-Max-Age"));
        AssertVariesByOrigin(response);
    }

    [Fact]
    public async Task Preflight_FromAnUnlistedOrigin_OrForAProgramWithoutTheSetting_AllowsNothing()
    {
        var listed = await ProgramWithOriginsAsync(Shop);
        var unset = await CreateProgramAsync(Rules);

        foreach (var response in new[]
        {
            await PreflightAsync($"/v1/programs/{listed}/members/me", OtherShop),
            await PreflightAsync($"/v1/programs/{listed}/members/me", "https://shop.example.evil.test"),
            await PreflightAsync($"/v1/programs/{listed}/members/me", "http://shop.example"), // another scheme is another origin
            await PreflightAsync($"/v1/programs/{unset}/members/me", Shop),
            await PreflightAsync($"/v1/programs/no-such-program/members/me", Shop),
        })
        {
            Assert.Null(Header(response, "Access-Control-Allow-Origin"));
            Assert.Null(Header(response, "Access-Control-Allow-Methods"));
            Assert.Null(Header(response, "Access-Control-Allow-Headers"));
            AssertVariesByOrigin(response);
        }
    }

    [Fact]
    public async Task Preflight_AsksForAHeaderOutsideTheList_AndIsNotAllowedIt()
    {
        var program = await ProgramWithOriginsAsync(Shop);

        var response = await PreflightAsync($"/v1/programs/{program}/members/me", Shop, "GET", "x-secret-header");

        Assert.DoesNotContain("x-secret-header", (Header(response, "Access-Control-Allow-Headers") ?? "").ToLowerInvariant());
    }

    [Fact]
    public async Task ActualRequests_CarryAllowOriginOnlyForTheProgramsOwnOrigins()
    {
        var first = await ProgramWithOriginsAsync(Shop);
        var second = await ProgramWithOriginsAsync(OtherShop);
        await RecordAsync(first, "m-1", "review");
        var (id, secret) = await CreateApiClientAsync(first, Scopes.Activities);
        using var member = Factory.CreateClient(await Factory.TokenAsync(id, secret, grantType: Rewards.Api.Infrastructure.Auth.MemberGrant.Type, memberId: "m-1"));

        async Task<HttpResponseMessage> GetAsync(string url, string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Add("Origin", origin);
            return await member.SendAsync(request);
        }

        var allowed = await GetAsync($"/v1/programs/{first}/members/me", Shop);
        var refused = await GetAsync($"/v1/programs/{first}/members/me", OtherShop);
        var otherProgramsOrigin = await GetAsync($"/v1/programs/{second}/leaderboards/points", OtherShop);
        var unauthenticated = await Factory.CreateClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/v1/programs/{first}/members/me")
        {
            Headers = { { "Origin", Shop } },
        });

        // Each program answers with its own list: one site's origin is not another program's.
        Assert.Equal(OtherShop, Header(await PreflightAsync($"/v1/programs/{second}/leaderboards/points", OtherShop), "Access-Control-Allow-Origin"));
        Assert.Null(Header(await PreflightAsync($"/v1/programs/{second}/leaderboards/points", Shop), "Access-Control-Allow-Origin"));
        Assert.Null(Header(await PreflightAsync($"/v1/programs/{first}/leaderboards/points", OtherShop), "Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(Shop, Header(allowed, "Access-Control-Allow-Origin"));
        Assert.Null(Header(allowed, "Access-Control-Allow-Credentials"));
        AssertVariesByOrigin(allowed);
        // The server still answers (CORS is the browser's check), but the browser will not let the page read it.
        Assert.Null(Header(refused, "Access-Control-Allow-Origin"));
        AssertVariesByOrigin(refused);
        // A member token of the first program reads nothing of the second, whatever the second program allows.
        Assert.Equal(HttpStatusCode.NotFound, otherProgramsOrigin.StatusCode);
        Assert.Equal(OtherShop, Header(otherProgramsOrigin, "Access-Control-Allow-Origin"));
        // Errors are readable by the allowed page too, so that it can tell the member to sign in again.
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.Equal(Shop, Header(unauthenticated, "Access-Control-Allow-Origin"));
        Assert.Contains("WWW-Authenticate", Header(unauthenticated, "Access-Control-Expose-Headers")!.Split(',').Select(h => h.Trim()));
    }

    [Fact]
    public async Task ChangingTheOrigins_AppliesToTheNextRequests()
    {
        var program = await ProgramWithOriginsAsync(Shop);
        var settings = (await GetJsonAsync($"/v1/programs/{program}")).GetRawText();
        var updated = System.Text.Json.Nodes.JsonNode.Parse(settings)!.AsObject();
        foreach (var readOnly in new[] { "createdAt", "updatedAt", "removedTypes" })
        {
            updated.Remove(readOnly);
        }
        updated["cors"] = System.Text.Json.Nodes.JsonNode.Parse($$"""{ "allowedOrigins": ["{{OtherShop}}"] }""");

        var put = await Client.PutAsync($"/v1/programs/{program}", new StringContent(updated.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Null(Header(await PreflightAsync($"/v1/programs/{program}/members/me", Shop), "Access-Control-Allow-Origin"));
        Assert.Equal(OtherShop, Header(await PreflightAsync($"/v1/programs/{program}/members/me", OtherShop), "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task TheSetting_IsReturned_WithOriginsNormalised()
    {
        var program = await ProgramWithOriginsAsync("HTTPS://Shop.Example", "https://shop.example:443", "http://localhost:5173");

        var origins = (await GetJsonAsync($"/v1/programs/{program}")).GetProperty("cors").GetProperty("allowedOrigins");

        Assert.Equal([Shop, "http://localhost:5173"], origins.EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(0, (await GetJsonAsync($"/v1/programs/{await CreateProgramAsync(Rules)}")).GetProperty("cors").GetProperty("allowedOrigins").GetArrayLength());
    }

    [Theory]
    [InlineData("""["shop.example"]""", "cors.allowedOrigins[0]")]
    [InlineData("""["https://shop.example/"]""", "cors.allowedOrigins[0]")]
    [InlineData("""["https://shop.example/app"]""", "cors.allowedOrigins[0]")]
    [InlineData("""["https://shop.example?x=1"]""", "cors.allowedOrigins[0]")]
    [InlineData("""["https://*.example"]""", "cors.allowedOrigins[0]")]
    [InlineData("""["*"]""", "cors.allowedOrigins[0]")]
    [InlineData("""["ftp://shop.example"]""", "cors.allowedOrigins[0]")]
    [InlineData("""["https://user@shop.example"]""", "cors.allowedOrigins[0]")]
    [InlineData("""["https://a.example", null]""", "cors.allowedOrigins[1]")]
    [InlineData("null", "cors.allowedOrigins")]
    public async Task BadOrigins_Are400_NamingTheEntry(string origins, string field)
    {
        var id = NewId("p");
        var body = $$"""{ "id": "{{id}}", "name": "x", "timeZone": "Europe/Paris", "rules": {}, "cors": { "allowedOrigins": {{origins}} } }""";

        var response = await Client.PostAsync("/v1/programs", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), errors.GetRawText());
        await AssertProblemAsync(await Client.GetAsync($"/v1/programs/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TooManyOrigins_Are400()
    {
        var origins = Enumerable.Range(0, 21).Select(i => $"https://s{i}.example").ToArray();
        var response = await Client.PostAsync("/v1/programs", System.Net.Http.Json.JsonContent.Create(new
        {
            id = NewId("p"), name = "x", timeZone = "Europe/Paris", rules = new { }, cors = new { allowedOrigins = origins },
        }));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }
}
