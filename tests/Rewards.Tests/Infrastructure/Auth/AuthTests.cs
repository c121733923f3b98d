using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Infrastructure.Auth;

public sealed class AuthTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private static JsonElement Payload(string jwt) =>
        JsonDocument.Parse(Base64UrlEncoder.Decode(jwt.Split('.')[1])).RootElement;

    [Fact]
    public async Task ClientCredentials_IssueSignedJwt_BoundToProgram()
    {
        var program = await CreateProgramAsync("{}");
        var (id, secret) = await CreateApiClientAsync(program, Scopes.Activities, Scopes.Read);

        var payload = Payload(await Factory.TokenAsync(id, secret));

        Assert.Equal(program, payload.GetProperty(RewardsClaims.Program).GetString());
        Assert.Equal(id, payload.GetProperty("sub").GetString());
        Assert.Equal("rewards-api", payload.GetProperty("aud").GetString());
        Assert.Equal("https://rewards.test/", payload.GetProperty("iss").GetString());
        Assert.Equal(600, payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64());
        Assert.Equal("rewards.activities rewards.read", payload.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task ClientSecret_IsShownOnce_AndStoredOnlyAsHash()
    {
        var program = await CreateProgramAsync("{}");
        var (id, secret) = await CreateApiClientAsync(program, Scopes.Read);

        var list = await Client.GetStringAsync($"/v1/programs/{program}/clients");
        var stored = await Factory.Redis.GetDatabase().HashGetAllAsync($"rw:client:{id}");

        Assert.Contains(id, list);
        Assert.DoesNotContain(secret, list);
        Assert.DoesNotContain("secret", list, StringComparison.OrdinalIgnoreCase);
        Assert.NotEmpty(stored);
        Assert.DoesNotContain(stored, e => e.Value.ToString().Contains(secret));
    }

    [Fact]
    public async Task RevokedClient_GetsInvalidClient()
    {
        var program = await CreateProgramAsync("{}");
        var (id, secret) = await CreateApiClientAsync(program, Scopes.Read);
        await Factory.TokenAsync(id, secret);

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{program}/clients/{id}")).StatusCode);
        var (status, body) = await Factory.RequestTokenAsync(id, secret);

        Assert.Equal(HttpStatusCode.Unauthorized, status); // RFC 6749 §5.2: invalid_client may answer 401
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
        var listed = await GetJsonAsync($"/v1/programs/{program}/clients");
        Assert.True(listed.GetProperty("clients")[0].TryGetProperty("revokedAt", out _));
    }

    [Theory]
    [InlineData("rc_000000000000000000000000", "whatever")]
    [InlineData(RewardsApiFactory.AdminClientId, "wrong-secret")]
    [InlineData("", "")]
    public async Task UnknownClientOrWrongSecret_GetsInvalidClient(string id, string secret)
    {
        var (status, body) = await Factory.RequestTokenAsync(id, secret);
        Assert.NotEqual(HttpStatusCode.OK, status);
        Assert.Equal(id == "" ? "invalid_request" : "invalid_client", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task WrongSecretOfRealClient_GetsInvalidClient()
    {
        var program = await CreateProgramAsync("{}");
        var (id, _) = await CreateApiClientAsync(program, Scopes.Read);
        var (_, body) = await Factory.RequestTokenAsync(id, "not-the-secret");
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Client_CannotRequestScopesItLacks()
    {
        var program = await CreateProgramAsync("{}");
        var (id, secret) = await CreateApiClientAsync(program, Scopes.Read);

        var (_, body) = await Factory.RequestTokenAsync(id, secret, scope: "rewards.read rewards.activities");
        var (_, admin) = await Factory.RequestTokenAsync(id, secret, scope: Scopes.Admin);

        Assert.Equal("invalid_scope", body.GetProperty("error").GetString());
        Assert.Equal("invalid_scope", admin.GetProperty("error").GetString());
    }

    [Fact]
    public async Task CreateClient_RefusesAdminOrUnknownScopes()
    {
        var program = await CreateProgramAsync("{}");
        await AssertProblemAsync(await Client.PostAsJsonAsync($"/v1/programs/{program}/clients", new { name = "x", scopes = new[] { Scopes.Admin } }),
            HttpStatusCode.BadRequest);
        await AssertProblemAsync(await Client.PostAsJsonAsync($"/v1/programs/{program}/clients", new { name = "x", scopes = new[] { Scopes.Member } }),
            HttpStatusCode.BadRequest);
        await AssertProblemAsync(await Client.PostAsJsonAsync($"/v1/programs/{program}/clients", new { name = "x", scopes = Array.Empty<string>() }),
            HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ProgramClient_SeesNothingOfAnotherProgram()
    {
        var mine = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var theirs = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        await RecordAsync(theirs, "m-1", "review");
        using var client = await ClientOfProgramAsync(mine, Scopes.Activities, Scopes.Read);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/programs/{mine}")).StatusCode);
        await AssertProblemAsync(await client.GetAsync($"/v1/programs/{theirs}"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.GetAsync($"/v1/programs/{theirs}/members/m-1"), HttpStatusCode.NotFound);
        var post = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{theirs}/activities")
        {
            Content = JsonContent.Create(new { memberId = "m-1", type = "review" }),
        };
        post.Headers.Add("Idempotency-Key", "k");
        await AssertProblemAsync(await client.SendAsync(post), HttpStatusCode.NotFound);
        Assert.Equal(50, (await GetMemberAsync(theirs, "m-1")).GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task MemberToken_ReadsOwnData_AndNothingElse()
    {
        var program = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        await RecordAsync(program, "m-1", "review");
        await RecordAsync(program, "m-2", "review");
        var (id, secret) = await CreateApiClientAsync(program, Scopes.Activities);

        var token = await Factory.TokenAsync(id, secret, grantType: MemberGrant.Type, memberId: "m-1");
        using var app = Factory.CreateClient(token);

        var payload = Payload(token);
        Assert.Equal("m-1", payload.GetProperty("sub").GetString());
        Assert.Equal(Scopes.Member, payload.GetProperty("scope").GetString());
        Assert.True(payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64() <= 15 * 60);
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync($"/v1/programs/{program}/members/m-1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync($"/v1/programs/{program}/members/m-1/ledger")).StatusCode);
        await AssertProblemAsync(await app.GetAsync($"/v1/programs/{program}/members/m-2"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await app.GetAsync($"/v1/programs/{program}/members/m-2/ledger"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await app.PutAsJsonAsync($"/v1/programs/{program}/members/m-1", new { displayName = "x" }), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await app.GetAsync($"/v1/programs/{program}"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await app.GetAsync($"/v1/programs/{program}/clients"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task MemberToken_RequiresActivitiesScope_AndAnActiveMember()
    {
        var program = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        await RecordAsync(program, "m-1", "review");
        var reader = await CreateApiClientAsync(program, Scopes.Read);
        var writer = await CreateApiClientAsync(program, Scopes.Activities);

        var (_, noScope) = await Factory.RequestTokenAsync(reader.Id, reader.Secret, grantType: MemberGrant.Type, memberId: "m-1");
        var (_, unknown) = await Factory.RequestTokenAsync(writer.Id, writer.Secret, grantType: MemberGrant.Type, memberId: "nobody");
        var (_, badId) = await Factory.RequestTokenAsync(writer.Id, writer.Secret, grantType: MemberGrant.Type, memberId: "a b");
        var (_, admin) = await Factory.RequestTokenAsync(RewardsApiFactory.AdminClientId, RewardsApiFactory.AdminClientSecret,
            grantType: MemberGrant.Type, memberId: "m-1");

        Assert.Equal("unauthorized_client", noScope.GetProperty("error").GetString());
        Assert.Equal("invalid_grant", unknown.GetProperty("error").GetString());
        Assert.Equal("invalid_grant", badId.GetProperty("error").GetString());
        Assert.Equal("unauthorized_client", admin.GetProperty("error").GetString());
    }

    [Fact]
    public async Task MemberToken_OfOneProgram_CannotReadAnother()
    {
        var mine = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var theirs = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        await RecordAsync(mine, "m-1", "review");
        await RecordAsync(theirs, "m-1", "review");
        var (id, secret) = await CreateApiClientAsync(mine, Scopes.Activities);
        using var app = Factory.CreateClient(await Factory.TokenAsync(id, secret, grantType: MemberGrant.Type, memberId: "m-1"));

        await AssertProblemAsync(await app.GetAsync($"/v1/programs/{theirs}/members/m-1"), HttpStatusCode.NotFound);
    }

    // Hand-made tokens signed with the deployment's key: the untouched one is accepted, so each variant fails for its one flaw.
    public static TheoryData<string> Flaws => new() { "none", "tampered", "expired", "audience", "issuer", "foreign-key", "unsigned" };

    [Theory]
    [MemberData(nameof(Flaws))]
    public async Task OnlyAnIntactCurrentTokenOfOurIssuerAndAudience_IsAccepted(string flaw)
    {
        var program = await CreateProgramAsync("{}");
        var key = SigningKey.Load(new AuthOptions { SigningKeyPath = RewardsApiFactory.SigningKeyPath }, new HostingEnvironment { EnvironmentName = "Testing" });
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = flaw == "issuer" ? "https://evil.test/" : "https://rewards.test/",
            Audience = flaw == "audience" ? "another-api" : "rewards-api",
            IssuedAt = flaw == "expired" ? now.AddMinutes(-30) : now,
            NotBefore = flaw == "expired" ? now.AddMinutes(-30) : now,
            Expires = flaw == "expired" ? now.AddMinutes(-20) : now.AddMinutes(5),
            TokenType = "at+jwt",
            Subject = new ClaimsIdentity([new("sub", "crafted"), new("client_id", "crafted"), new("scope", Scopes.Read),
                new(RewardsClaims.Program, program)]),
            SigningCredentials = new SigningCredentials(
                flaw == "foreign-key" ? new RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)) { KeyId = key.KeyId } : key,
                SecurityAlgorithms.RsaSha256),
        };
        var token = new JsonWebTokenHandler().CreateToken(descriptor);
        if (flaw == "tampered")
        {
            var parts = token.Split('.');
            var claims = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace(Scopes.Read, Scopes.Admin);
            token = $"{parts[0]}.{Base64UrlEncoder.Encode(claims)}.{parts[2]}";
        }
        if (flaw == "unsigned")
        {
            var parts = token.Split('.');
            token = $"{Base64UrlEncoder.Encode("""{"alg":"none","typ":"at+jwt"}""")}.{parts[1]}.";
        }
        using var client = Factory.CreateClient(token);

        var response = await client.GetAsync($"/v1/programs/{program}");

        Assert.Equal(flaw == "none" ? HttpStatusCode.OK : HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task TwoInstancesConfiguredAlike_AcceptEachOthersTokens()
    {
        var program = await CreateProgramAsync("{}");
        using var other = Factory.WithWebHostBuilder(b => b.UseSetting("Rewards:Jobs:Server", "false"));
        using var otherClient = other.CreateClient();
        otherClient.DefaultRequestHeaders.Authorization = new("Bearer", await Factory.AdminTokenAsync());

        Assert.Equal(HttpStatusCode.OK, (await otherClient.GetAsync($"/v1/programs/{program}")).StatusCode);
    }

    /// <summary>A second app on the same Redis with other rate limits (and no Hangfire server of its own).</summary>
    private WebApplicationFactory<Program> WithLimits(params (string Key, string Value)[] settings) =>
        Factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Rewards:Jobs:Server", "false");
            foreach (var (key, value) in settings)
            {
                b.UseSetting(key, value);
            }
        });

    [Fact]
    public async Task Burst_IsAnswered429_WithRetryAfter_AndHealthIsExempt()
    {
        var program = await CreateProgramAsync("{}");
        using var limited = WithLimits(("Rewards:RateLimit:PermitsPerSecond", "1"), ("Rewards:RateLimit:Burst", "5"));
        using var client = limited.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", await Factory.AdminTokenAsync());

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 20; i++)
        {
            responses.Add(await client.GetAsync($"/v1/programs/{program}"));
        }
        var health = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.GetAsync("/health/live")));

        var rejected = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.InRange(rejected.Count, 10, 15);
        Assert.All(rejected, r => Assert.True(r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1)));
        await AssertProblemAsync(rejected[0], HttpStatusCode.TooManyRequests);
        Assert.All(health, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    [Fact]
    public async Task TokenEndpoint_RefusesGuessesPastTheFailureBudget_AndApiCallsKeepTheirOwnBucket()
    {
        var program = await CreateProgramAsync("{}");
        using var limited = WithLimits(("Rewards:RateLimit:TokenPermitsPerSecond", "0.01"), ("Rewards:RateLimit:TokenBurst", "3"));
        using var client = limited.CreateClient();

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 10; i++)
        {
            // Guessing secrets: every wrong one uses up the address's and the client id's failure budget.
            responses.Add(await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = RewardsApiFactory.AdminClientId,
                ["client_secret"] = i == 0 ? RewardsApiFactory.AdminClientSecret : $"guess-{i}",
            })));
        }
        client.DefaultRequestHeaders.Authorization = new("Bearer", await Factory.AdminTokenAsync());
        var apiCall = await client.GetAsync($"/v1/programs/{program}");

        var rejected = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.True(rejected.Count is >= 5 and <= 7, string.Join(",", responses.Select(r => (int)r.StatusCode)));
        Assert.Equal(HttpStatusCode.OK, responses[0].StatusCode);
        Assert.All(rejected, r => Assert.True(r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1)));
        Assert.Equal(HttpStatusCode.OK, apiCall.StatusCode);
    }

    [Fact]
    public void Api_RefusesToStart_WithoutAdminClient_OutsideDevelopment()
    {
        using var production = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseEnvironment("Production")
            .UseSetting("Rewards:Jobs:Server", "false")
            .UseSetting("Rewards:Auth:SigningKeyPath", RewardsApiFactory.SigningKeyPath));

        var error = Assert.ThrowsAny<Exception>(() => production.CreateClient());

        Assert.Contains("Rewards:Admin:ClientId", error.ToString());
    }
}
