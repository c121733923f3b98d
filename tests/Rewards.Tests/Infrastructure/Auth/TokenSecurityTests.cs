using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Infrastructure.Auth;

/// <summary>Issue 12: the token endpoint's availability, discovery from the issuer, revocation, malformed and odd tokens.</summary>
public sealed class TokenSecurityTests(RewardsApiFactory factory) : ApiTest(factory)
{
    /// <summary>TestServer leaves the remote address empty; here every request comes from the proxy at 127.0.0.1.</summary>
    private sealed class FromLoopbackProxy : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext http, RequestDelegate nextMiddleware) =>
            {
                http.Connection.RemoteIpAddress ??= IPAddress.Loopback;
                return nextMiddleware(http);
            });
            next(app);
        };
    }

    /// <summary>A second app on the same Redis (no Hangfire server of its own), its requests from 127.0.0.1, with these settings.</summary>
    private WebApplicationFactory<Program> Instance(params (string Key, string Value)[] settings) =>
        Factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Rewards:Jobs:Server", "false");
            foreach (var (key, value) in settings)
            {
                b.UseSetting(key, value);
            }
            b.ConfigureServices(s => s.AddSingleton<IStartupFilter, FromLoopbackProxy>());
        });

    private static Task<HttpResponseMessage> RequestTokenAsync(HttpClient http, string clientId, string secret, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret,
            }),
        };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }
        return http.SendAsync(request);
    }

    private static string UnknownClientId() => "rc_" + Guid.NewGuid().ToString("N")[..24];

    [Fact]
    public async Task TokenEndpoint_OneAddressGuessing_DoesNotLockOutAClientAtAnotherAddress_BehindATrustedProxy()
    {
        var program = await CreateProgramAsync("{}");
        var (id, secret) = await CreateApiClientAsync(program, Scopes.Read);
        using var api = Instance(("Rewards:RateLimit:TokenPermitsPerSecond", "0.01"), ("Rewards:RateLimit:TokenBurst", "3"),
            ("Rewards:Http:KnownProxies:0", "127.0.0.1"));
        using var http = api.CreateClient();

        var attacker = new List<HttpResponseMessage>();
        for (var i = 0; i < 20; i++)
        {
            attacker.Add(await RequestTokenAsync(http, UnknownClientId(), "guess", forwardedFor: "127.0.0.2"));
        }
        var client = await RequestTokenAsync(http, id, secret, forwardedFor: "127.0.0.3");

        Assert.True(attacker.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests) >= 15, string.Join(",", attacker.Select(r => (int)r.StatusCode)));
        Assert.Equal(HttpStatusCode.OK, client.StatusCode);
    }

    [Fact]
    public async Task TokenEndpoint_IgnoresForwardedFor_FromAnUntrustedSender()
    {
        using var api = Instance(("Rewards:RateLimit:TokenPermitsPerSecond", "0.01"), ("Rewards:RateLimit:TokenBurst", "3"));
        using var http = api.CreateClient();

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 20; i++)
        {
            // Each guess claims another address: not believed, 127.0.0.1 is no configured proxy.
            answers.Add(await RequestTokenAsync(http, UnknownClientId(), "guess", forwardedFor: $"10.0.0.{i + 1}"));
        }
        var yetAnotherAddress = await RequestTokenAsync(http, UnknownClientId(), "guess", forwardedFor: "10.0.1.1");

        Assert.True(answers.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests) >= 10);
        Assert.Equal(HttpStatusCode.TooManyRequests, yetAnotherAddress.StatusCode);
    }

    [Fact]
    public async Task TokenEndpoint_CorrectSecretGetsThrough_UnlessItsOwnClientIdIsUnderAttack()
    {
        var program = await CreateProgramAsync("{}");
        var target = await CreateApiClientAsync(program, Scopes.Read);
        var bystander = await CreateApiClientAsync(program, Scopes.Read);
        // Without proxies configured every caller shares the load balancer's address, attacker included.
        using var api = Instance(("Rewards:RateLimit:TokenPermitsPerSecond", "0.01"), ("Rewards:RateLimit:TokenBurst", "3"));
        using var http = api.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(http, bystander.Id, bystander.Secret)).StatusCode);

        for (var i = 0; i < 10; i++)
        {
            await RequestTokenAsync(http, target.Id, $"guess-{i}");
        }
        var targetWithItsSecret = await RequestTokenAsync(http, target.Id, target.Secret);
        var bystanderWithItsSecret = await RequestTokenAsync(http, bystander.Id, bystander.Secret);

        Assert.Equal(HttpStatusCode.TooManyRequests, targetWithItsSecret.StatusCode);
        Assert.True(targetWithItsSecret.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, bystanderWithItsSecret.StatusCode);
    }

    [Fact]
    public async Task Discovery_BuildsEveryUrlFromTheConfiguredIssuer_NotFromTheHostHeader()
    {
        using var http = Factory.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/openid-configuration");
        request.Headers.Host = "evil.example";

        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var document = JsonDocument.Parse(text).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("evil.example", text);
        Assert.Equal("https://rewards.test/", document.GetProperty("issuer").GetString());
        Assert.Equal("https://rewards.test/connect/token", document.GetProperty("token_endpoint").GetString());
        Assert.Equal("https://rewards.test/.well-known/jwks", document.GetProperty("jwks_uri").GetString());
        var jwks = await http.GetFromJsonAsync<JsonElement>("/.well-known/jwks");
        Assert.Equal("RSA", jwks.GetProperty("keys")[0].GetProperty("kty").GetString());
    }

    [Theory]
    [InlineData("Basic eDp5")]
    [InlineData("Basic x")]
    [InlineData("Bearer")]
    [InlineData("Bearer   ")]
    [InlineData("Token abc")]
    public async Task MalformedAuthorization_Is401_WithWwwAuthenticate(string header)
    {
        var program = await CreateProgramAsync("{}");
        using var http = Factory.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/programs/{program}");
        request.Headers.TryAddWithoutValidation("Authorization", header);

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Theory]
    [InlineData("no-exp")]
    [InlineData("nbf-in-an-hour")]
    [InlineData("nbf-in-10-s")]
    public async Task TokenWithoutExpiry_OrNotValidYet_IsRefused(string variant)
    {
        var program = await CreateProgramAsync("{}");
        var key = SigningKey.Load(new AuthOptions { SigningKeyPath = RewardsApiFactory.SigningKeyPath }, new HostingEnvironment { EnvironmentName = "Testing" });
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = "https://rewards.test/",
            Audience = "rewards-api",
            IssuedAt = now,
            NotBefore = variant switch { "nbf-in-an-hour" => now.AddHours(1), "nbf-in-10-s" => now.AddSeconds(10), _ => null },
            Expires = variant == "no-exp" ? null : now.AddHours(2),
            TokenType = "at+jwt",
            Subject = new ClaimsIdentity([new("sub", "crafted"), new("client_id", "crafted"), new("scope", Scopes.Read),
                new(RewardsClaims.Program, program)]),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        };
        var token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
        using var client = Factory.CreateClient(token);

        var response = await client.GetAsync($"/v1/programs/{program}");

        // A small skew (30 s) is tolerated for nbf: instances' clocks differ.
        Assert.Equal(variant == "nbf-in-10-s" ? HttpStatusCode.OK : HttpStatusCode.Unauthorized, response.StatusCode);
        if (variant != "nbf-in-10-s")
        {
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }
    }

    /// <summary>Polls until the request is answered 401 on both instances; returns how long that took.</summary>
    private static async Task<TimeSpan> UntilRefusedAsync(string url, string token, params WebApplicationFactory<Program>[] instances)
    {
        var clock = Stopwatch.StartNew();
        foreach (var instance in instances)
        {
            using var http = instance.CreateClient();
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
            while ((await http.GetAsync(url)).StatusCode != HttpStatusCode.Unauthorized)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{url} still answered after 10 s");
                await Task.Delay(100);
            }
        }
        return clock.Elapsed;
    }

    private static async Task<HttpStatusCode> GetAsync(WebApplicationFactory<Program> instance, string url, string token)
    {
        using var http = instance.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return (await http.GetAsync(url)).StatusCode;
    }

    [Fact]
    public async Task RevokedClient_ItsTokens_AndTheMemberTokensItIssued_StopWorkingOnEveryInstance_WithinFiveSeconds()
    {
        var program = await CreateProgramAsync("""{ "review": { "points": 5 } }""");
        await RecordAsync(program, "m-1", "review");
        var (id, secret) = await CreateApiClientAsync(program, Scopes.Activities, Scopes.Read);
        var clientToken = await Factory.TokenAsync(id, secret);
        var memberToken = await Factory.TokenAsync(id, secret, grantType: MemberGrant.Type, memberId: "m-1");
        var (otherId, otherSecret) = await CreateApiClientAsync(program, Scopes.Read);
        var otherClientToken = await Factory.TokenAsync(otherId, otherSecret);
        using var second = Instance();
        var memberUrl = $"/v1/programs/{program}/members/m-1";
        // Both tokens work (and sit in each instance's validated-token cache) before the revocation.
        foreach (var instance in new WebApplicationFactory<Program>[] { Factory, second })
        {
            Assert.Equal(HttpStatusCode.OK, await GetAsync(instance, memberUrl, clientToken));
            Assert.Equal(HttpStatusCode.OK, await GetAsync(instance, memberUrl, memberToken));
        }

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{program}/clients/{id}")).StatusCode);
        var clientRefusedAfter = await UntilRefusedAsync(memberUrl, clientToken, Factory, second);
        var memberRefusedAfter = await UntilRefusedAsync(memberUrl, memberToken, Factory, second);

        Assert.True(clientRefusedAfter < TimeSpan.FromSeconds(5), $"client token refused after {clientRefusedAfter}");
        Assert.True(memberRefusedAfter < TimeSpan.FromSeconds(5), $"member token refused after {memberRefusedAfter}");
        Assert.Equal(HttpStatusCode.OK, await GetAsync(second, memberUrl, otherClientToken)); // another client of the program
    }

    [Fact]
    public async Task SuspendedOrErasedMember_TokensStopWorkingOnEveryInstance_AndReinstatementGivesWorkingTokensAgain()
    {
        var program = await CreateProgramAsync("""{ "review": { "points": 5 } }""");
        await RecordAsync(program, "m-1", "review");
        await RecordAsync(program, "m-2", "review");
        var (id, secret) = await CreateApiClientAsync(program, Scopes.Activities);
        var suspended = await Factory.TokenAsync(id, secret, grantType: MemberGrant.Type, memberId: "m-1");
        var erased = await Factory.TokenAsync(id, secret, grantType: MemberGrant.Type, memberId: "m-2");
        using var second = Instance();
        string Url(string member) => $"/v1/programs/{program}/members/{member}";
        Assert.Equal(HttpStatusCode.OK, await GetAsync(second, Url("m-1"), suspended));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(second, Url("m-2"), erased));

        await PostJsonAsync($"/v1/programs/{program}/members/m-1/suspend", null, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync(Url("m-2"))).StatusCode);
        var suspendedAfter = await UntilRefusedAsync(Url("m-1"), suspended, Factory, second);
        var erasedAfter = await UntilRefusedAsync(Url("m-2"), erased, Factory, second);
        Assert.True(suspendedAfter < TimeSpan.FromSeconds(5), $"suspended member's token refused after {suspendedAfter}");
        Assert.True(erasedAfter < TimeSpan.FromSeconds(5), $"erased member's token refused after {erasedAfter}");

        // Token times are whole seconds: a token issued in the second of the suspension counts as issued before it.
        await Task.Delay(1100);
        await PostJsonAsync($"/v1/programs/{program}/members/m-1/reinstate", null, HttpStatusCode.OK);
        var fresh = await Factory.TokenAsync(id, secret, grantType: MemberGrant.Type, memberId: "m-1");
        Assert.Equal(HttpStatusCode.OK, await GetAsync(second, Url("m-1"), fresh));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(Factory, Url("m-1"), fresh));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(second, Url("m-1"), suspended));
    }

    [Fact]
    public async Task MemberTokens_OfOneClient_ShareTheClientsAggregateLimit()
    {
        var program = await CreateProgramAsync("""{ "review": { "points": 5 } }""");
        var members = new[] { "m-1", "m-2", "m-3", "m-4" };
        foreach (var member in members)
        {
            await RecordAsync(program, member, "review");
        }
        var (id, secret) = await CreateApiClientAsync(program, Scopes.Activities);
        var tokens = new List<string>();
        foreach (var member in members)
        {
            tokens.Add(await Factory.TokenAsync(id, secret, grantType: MemberGrant.Type, memberId: member));
        }
        using var api = Instance(("Rewards:RateLimit:MemberAggregatePermitsPerSecond", "1"), ("Rewards:RateLimit:MemberAggregateBurst", "5"));

        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 16)
            .Select(i => GetAsync(api, $"/v1/programs/{program}/members/{members[i % 4]}", tokens[i % 4])));
        var elapsed = clock.Elapsed;

        // Each member's own bucket (100,000/s in tests) would allow all 16; the client's aggregate allows the burst of 5
        // plus one a second.
        Assert.InRange(answers.Count(a => a == HttpStatusCode.OK), 1, 5 + (int)Math.Ceiling(elapsed.TotalSeconds));
        Assert.Contains(HttpStatusCode.TooManyRequests, answers);
        Assert.All(answers, a => Assert.Contains(a, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
    }
}
