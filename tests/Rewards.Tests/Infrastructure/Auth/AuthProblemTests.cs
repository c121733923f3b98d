using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Rewards.Api.Infrastructure.Auth;

namespace Rewards.Tests.Infrastructure.Auth;

/// <summary>Issue 13: 401 says why in a problem body (and keeps WWW-Authenticate); 403 names the scopes that would allow the call.</summary>
public sealed class AuthProblemTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private static async Task<string> DetailAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;
    }

    private string Craft(string program, string audience = "rewards-api", string issuer = "https://rewards.test/", int expiresInSeconds = 3600)
    {
        var key = SigningKey.Load(new AuthOptions { SigningKeyPath = RewardsApiFactory.SigningKeyPath }, new HostingEnvironment { EnvironmentName = "Testing" });
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now.AddHours(-2),
            NotBefore = now.AddHours(-2),
            Expires = now.AddSeconds(expiresInSeconds),
            TokenType = "at+jwt",
            Subject = new ClaimsIdentity([new("sub", "crafted"), new("client_id", "crafted"), new("scope", Scopes.Read), new(RewardsClaims.Program, program)]),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    [Theory]
    [InlineData("missing", "An access token is required")]
    [InlineData("not bearer", "must be 'Bearer <access token>'")]
    [InlineData("malformed", "malformed or invalid")]
    [InlineData("expired", "has expired")]
    [InlineData("wrong audience", "wrong audience")]
    [InlineData("wrong issuer", "wrong issuer")]
    [InlineData("tampered", "")]
    public async Task Unauthenticated_Is401_WithAProblemSayingWhy_AndWwwAuthenticate(string variant, string expected)
    {
        var program = await CreateProgramAsync("{}");
        using var http = Factory.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/programs/{program}");
        var valid = Craft(program);
        var header = variant switch
        {
            "missing" => null,
            "not bearer" => "Token abc",
            "malformed" => "Bearer not-a-jwt",
            "expired" => "Bearer " + Craft(program, expiresInSeconds: -600),
            "wrong audience" => "Bearer " + Craft(program, audience: "someone-else"),
            "wrong issuer" => "Bearer " + Craft(program, issuer: "https://evil.test/"),
            _ => "Bearer " + valid[..^4] + (valid[^4..] == "AAAA" ? "BBBB" : "AAAA"),
        };
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", header);
        }

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        var detail = await DetailAsync(response);
        Assert.False(string.IsNullOrWhiteSpace(detail));
        Assert.Contains(expected, detail);
    }

    [Fact]
    public async Task Forbidden_Is403_NamingTheScopesThatWouldAllowTheCall()
    {
        var program = await CreateProgramAsync("""{ "review": { "points": 5 } }""");
        using var reader = await ClientOfProgramAsync(program, Scopes.Read);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{program}/activities")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { memberId = "m-1", type = "review" }),
        };
        request.Headers.Add("Idempotency-Key", "k");

        var response = await reader.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("The token lacks the scope this call needs: one of rewards.activities, rewards.admin.", await DetailAsync(response));
    }

    [Fact]
    public async Task RevokedToken_Is401_SayingItWasRevoked()
    {
        var program = await CreateProgramAsync("""{ "review": { "points": 5 } }""");
        await RecordAsync(program, "m-1", "review");
        var (id, secret) = await CreateApiClientAsync(program, Scopes.Activities);
        using var member = Factory.CreateClient(await Factory.TokenAsync(id, secret, grantType: MemberGrant.Type, memberId: "m-1"));
        var url = $"/v1/programs/{program}/members/m-1";
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync(url)).StatusCode);

        await PostJsonAsync($"/v1/programs/{program}/members/m-1/suspend", null, HttpStatusCode.OK);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        HttpResponseMessage response;
        while ((response = await member.GetAsync(url)).StatusCode != HttpStatusCode.Unauthorized)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the suspended member's token still works after 10 s");
            await Task.Delay(100);
        }

        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        Assert.StartsWith("The token was revoked", await DetailAsync(response));
    }
}
