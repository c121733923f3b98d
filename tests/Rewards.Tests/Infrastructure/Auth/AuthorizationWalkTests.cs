using System.Net;
using System.Text;
using System.Text.Json;
using Rewards.Api.Features.People;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Tests.Features.People;
using Rewards.Tests.Infrastructure.OpenApi;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Infrastructure.Auth;

/// <summary>
/// Walks every operation of the committed OpenAPI document: no token → 401, a token without the scope → 403,
/// a token of another program → 404, and a token of the right program and scope gets past authorization.
/// An endpoint added without a security requirement fails here. The same walk with console sessions: each role is treated
/// like a token holding the role's scopes in its program (403 outside them, 404 on another program), the operator everywhere.
/// </summary>
public sealed class AuthorizationWalkTests(RewardsApiFactory factory) : PeopleTest(factory)
{
    private static readonly string[] AnonymousPrefixes = ["/health/"];

    /// <summary>Sign-in and accepting an invitation: the two operations a person makes before having a session.</summary>
    private static readonly string[] AnonymousOperations = ["POST /v1/session", "POST /v1/invitations/accept"];
    private readonly Dictionary<string, string> _tokens = [];

    [Fact]
    public async Task EveryOperation_RequiresToken_Scope_AndProgram()
    {
        var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, OpenApiDocumentTests.CommittedPath)));
        var own = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var other = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var activityId = (await RecordAsync(own, "m-1", "review")).GetProperty("activityId").GetString()!;
        await RecordAsync(other, "m-1", "review");
        var (clientId, _) = await CreateApiClientAsync(own, Scopes.Read);
        var checkedOperations = 0;
        var undeclared = new List<string>();

        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var method = new HttpMethod(operation.Name.ToUpperInvariant());
                var name = $"{method} {path.Name}";
                if (AnonymousPrefixes.Any(path.Name.StartsWith) || AnonymousOperations.Contains(name))
                {
                    continue;
                }
                Assert.True(operation.Value.TryGetProperty("security", out var security) && security.GetArrayLength() > 0,
                    $"{name} declares no security requirement: every /v1 operation needs a token with a scope.");
                var url = path.Name.Replace("{programId}", own).Replace("{memberId}", "m-1")
                    .Replace("{activityId}", activityId).Replace("{clientId}", clientId).Replace("{personId}", "pe_000000000000000000000000");
                if (!security[0].TryGetProperty("oauth2", out var oauth2))
                {
                    // About the signed-in person (a session only): any token is refused.
                    var noToken = await SendAsync(method, url, token: null);
                    Assert.True(noToken.StatusCode == HttpStatusCode.Unauthorized, $"{name} without a session: {(int)noToken.StatusCode}");
                    var withToken = await SendAsync(method, url, await Factory.AdminTokenAsync());
                    Assert.True(withToken.StatusCode == HttpStatusCode.Forbidden, $"{name} with a token: {(int)withToken.StatusCode}");
                    undeclared.AddRange(DeclaredStatuses.Undeclared(name, noToken, withToken));
                    checkedOperations++;
                    continue;
                }
                var scopes = oauth2.EnumerateArray().Select(s => s.GetString()!).ToHashSet();

                var anonymous = await SendAsync(method, url, token: null);
                Assert.True(anonymous.StatusCode == HttpStatusCode.Unauthorized, $"{name} without a token: {(int)anonymous.StatusCode}");
                Assert.NotEmpty(anonymous.Headers.WwwAuthenticate);

                var lacking = await TokenLackingAsync(own, scopes);
                var forbidden = await SendAsync(method, url, lacking);
                Assert.True(forbidden.StatusCode == HttpStatusCode.Forbidden, $"{name} without one of [{string.Join(' ', scopes)}]: {(int)forbidden.StatusCode}");

                // Admin-only operations: program clients never hold rewards.admin; the positive check uses the operator's token.
                var clientScopes = Scopes.ForProgramClients.Where(scopes.Contains).ToArray();
                if (path.Name.Contains("{programId}"))
                {
                    var foreignToken = await ClientTokenAsync(other, clientScopes.Length > 0 ? clientScopes : Scopes.ForProgramClients);
                    var foreign = await SendAsync(method, url, foreignToken);
                    Assert.True(foreign.StatusCode == HttpStatusCode.NotFound, $"{name} with another program's token: {(int)foreign.StatusCode}");
                    undeclared.AddRange(DeclaredStatuses.Undeclared(name, foreign));
                }

                var ownToken = clientScopes.Length > 0 ? await ClientTokenAsync(own, clientScopes) : await Factory.AdminTokenAsync();
                var allowed = await SendAsync(method, url, ownToken);
                Assert.True(allowed.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden),
                    $"{name} with the program's own token and scope: {(int)allowed.StatusCode}");
                undeclared.AddRange(DeclaredStatuses.Undeclared(name, anonymous, forbidden, allowed));
                checkedOperations++;
            }
        }
        DeclaredStatuses.AssertNone(undeclared);
        Assert.True(checkedOperations >= 14, $"only {checkedOperations} operations walked");
    }

    [Fact]
    public async Task EveryOperation_TreatsAConsoleSession_LikeATokenWithTheRolesScopes_InItsProgramOnly()
    {
        var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, OpenApiDocumentTests.CommittedPath)));
        var own = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var other = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var activityId = (await RecordAsync(own, "m-1", "review")).GetProperty("activityId").GetString()!;
        await RecordAsync(other, "m-1", "review");
        var (clientId, _) = await CreateApiClientAsync(own, Scopes.Read);
        var (bystander, _) = await InviteAsync(own, NewEmail("bystander"), "analyst"); // {personId}: never one of the walkers
        var sessions = new Dictionary<string, ConsoleSession>();
        foreach (var role in ConsoleRoles.All)
        {
            sessions[role] = await SignedInAsync(own, role);
        }
        var operatorSession = await SignedInOperatorAsync();
        var undeclared = new List<string>();
        var checkedOperations = 0;

        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var method = new HttpMethod(operation.Name.ToUpperInvariant());
                var name = $"{method} {path.Name}";
                if (AnonymousPrefixes.Any(path.Name.StartsWith) || AnonymousOperations.Contains(name))
                {
                    continue;
                }
                var security = operation.Value.GetProperty("security");
                string Url(string programId) => path.Name.Replace("{programId}", programId).Replace("{memberId}", "m-1")
                    .Replace("{activityId}", activityId).Replace("{clientId}", clientId).Replace("{personId}", bystander);
                if (!security[0].TryGetProperty("oauth2", out var oauth2))
                {
                    // About the person themselves (sign-out ends the session: a fresh person each time).
                    var fresh = await SignedInAsync(own, "analyst");
                    var mine = await Send(fresh, method, Url(own));
                    Assert.True(mine.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{name} with a session: {(int)mine.StatusCode}");
                    undeclared.AddRange(DeclaredStatuses.Undeclared(name, mine));
                    checkedOperations++;
                    continue;
                }
                Assert.Contains(security.EnumerateArray(), r => r.TryGetProperty("session", out _));
                var scopes = oauth2.EnumerateArray().Select(s => s.GetString()!).ToHashSet();
                foreach (var (role, session) in sessions)
                {
                    var allowed = path.Name.Contains("{programId}") && ConsoleRoles.ScopesOf[role].Any(scopes.Contains);
                    var response = await Send(session, method, Url(own));
                    Assert.True(allowed ? response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) : response.StatusCode == HttpStatusCode.Forbidden,
                        $"{name} as {role} ({(allowed ? "allowed" : "not allowed")}): {(int)response.StatusCode}");
                    undeclared.AddRange(DeclaredStatuses.Undeclared(name, response));
                    if (path.Name.Contains("{programId}"))
                    {
                        var foreign = await Send(session, method, Url(other));
                        Assert.True(foreign.StatusCode == HttpStatusCode.NotFound, $"{name} as {role} of another program: {(int)foreign.StatusCode}");
                    }
                }
                var asOperator = await Send(operatorSession, method, Url(own));
                Assert.True(asOperator.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden),
                    $"{name} as the operator: {(int)asOperator.StatusCode}");
                undeclared.AddRange(DeclaredStatuses.Undeclared(name, asOperator));
                checkedOperations++;
            }
        }
        DeclaredStatuses.AssertNone(undeclared);
        Assert.True(checkedOperations >= 30, $"only {checkedOperations} operations walked");
    }

    /// <summary>With the session's cookie and anti-forgery token; a live stream's body is not read (it never ends).</summary>
    private static Task<HttpResponseMessage> Send(ConsoleSession session, HttpMethod method, string url) =>
        SendForStatusAsync(session.Http, session.Request(method, url,
            method == HttpMethod.Post || method == HttpMethod.Put || method == HttpMethod.Patch ? new { } : null));

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? token)
    {
        var request = new HttpRequestMessage(method, url);
        if (method == HttpMethod.Post || method == HttpMethod.Put || method == HttpMethod.Patch)
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        }
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }
        using var client = Factory.CreateClient();
        return await SendForStatusAsync(client, request);
    }

    /// <summary>A token of the program holding none of the operation's scopes (a member token when every client scope qualifies).</summary>
    private async Task<string> TokenLackingAsync(string programId, IReadOnlySet<string> scopes)
    {
        var lacking = Scopes.ForProgramClients.Where(s => !scopes.Contains(s)).ToArray();
        if (lacking.Length > 0)
        {
            return await ClientTokenAsync(programId, lacking);
        }
        Assert.DoesNotContain(Scopes.Member, scopes);
        var minter = await CreateApiClientAsync(programId, Scopes.Activities);
        return await Factory.TokenAsync(minter.Id, minter.Secret, grantType: MemberGrant.Type, memberId: "m-1");
    }

    private async Task<string> ClientTokenAsync(string programId, string[] scopes)
    {
        var key = $"{programId}|{string.Join(' ', scopes)}";
        if (!_tokens.TryGetValue(key, out var token))
        {
            var (id, secret) = await CreateApiClientAsync(programId, scopes);
            _tokens[key] = token = await Factory.TokenAsync(id, secret);
        }
        return token;
    }
}
