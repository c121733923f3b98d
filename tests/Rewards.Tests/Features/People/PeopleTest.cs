using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.People;

/// <summary>A person signed in to the console: their session cookie and anti-forgery token, sent the way the console sends them.</summary>
public sealed class ConsoleSession(HttpClient http, string cookie, string csrfToken, string personId)
{
    public const string CookieName = "__Host-rewards-session";

    public string Cookie { get; } = cookie;

    public string CsrfToken { get; } = csrfToken;

    public string PersonId { get; } = personId;

    /// <summary>Sends with the cookie, and with the anti-forgery header unless <paramref name="csrf"/> says otherwise (null: none).</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, object? body = null, string? csrf = "", HttpClient? via = null) =>
        (via ?? http).SendAsync(Request(method, url, body, csrf));

    /// <summary>The request as <see cref="SendAsync"/> sends it.</summary>
    public HttpRequestMessage Request(HttpMethod method, string url, object? body = null, string? csrf = "")
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("Cookie", $"{CookieName}={Cookie}");
        if (csrf is not null)
        {
            request.Headers.Add("X-CSRF-Token", csrf.Length == 0 ? CsrfToken : csrf);
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        if (method == HttpMethod.Post && url.EndsWith("/activities", StringComparison.Ordinal))
        {
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        }
        return request;
    }

    public Task<HttpResponseMessage> GetAsync(string url, HttpClient? via = null) => SendAsync(HttpMethod.Get, url, via: via);

    /// <summary>The client this session sends with.</summary>
    public HttpClient Http => http;
}

/// <summary>Helpers for console people: invite (as the operator, by default), accept with a password, sign in.</summary>
public abstract class PeopleTest(RewardsApiFactory factory) : ApiTest(factory)
{
    public const string Password = "purple elephants dance at noon";

    /// <summary>A client that keeps no cookies: each request sends exactly the cookie a test gives it.</summary>
    protected HttpClient Anonymous() => Factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });

    protected static string NewEmail(string who = "person") => $"{who}-{Guid.NewGuid():N}@acme.example";

    /// <summary>Invites (as the operator's token, or as <paramref name="by"/>) and returns the person id and the link's token.</summary>
    protected async Task<(string PersonId, string? Token)> InviteAsync(string programId, string email, string role, ConsoleSession? by = null)
    {
        var response = by is null
            ? await Client.PostAsJsonAsync($"/v1/programs/{programId}/people", new { email, role })
            : await by.SendAsync(HttpMethod.Post, $"/v1/programs/{programId}/people", new { email, role });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"invite: {(int)response.StatusCode} {text}");
        var body = JsonDocument.Parse(text).RootElement;
        return (body.GetProperty("personId").GetString()!, TokenOf(body));
    }

    protected static string? TokenOf(JsonElement invited) =>
        invited.TryGetProperty("invitation", out var invitation) && invitation.ValueKind == JsonValueKind.Object
            ? invitation.GetProperty("link").GetString()!.Split("#token=")[1] : null;

    protected async Task<HttpResponseMessage> AcceptAsync(string token, string password = Password, string displayName = "Camille Durand")
    {
        using var http = Anonymous();
        return await http.PostAsJsonAsync("/v1/invitations/accept", new { token, password, displayName });
    }

    protected async Task<HttpResponseMessage> RequestSignInAsync(string email, string password, HttpClient? via = null)
    {
        using var own = Anonymous();
        return await (via ?? own).PostAsJsonAsync("/v1/session", new { email, password });
    }

    protected async Task<ConsoleSession> SignInAsync(string email, string password = Password)
    {
        var response = await RequestSignInAsync(email, password);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"sign-in: {(int)response.StatusCode} {text}");
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(ConsoleSession.CookieName + "=", StringComparison.Ordinal));
        var value = cookie.Split(';')[0][(ConsoleSession.CookieName.Length + 1)..];
        var body = JsonDocument.Parse(text).RootElement;
        return new ConsoleSession(Anonymous(), value, body.GetProperty("csrfToken").GetString()!, body.GetProperty("personId").GetString()!);
    }

    /// <summary>A new person holding the role in the program, signed in.</summary>
    protected async Task<ConsoleSession> SignedInAsync(string programId, string role)
    {
        var email = NewEmail(role);
        var (_, token) = await InviteAsync(programId, email, role);
        Assert.Equal(HttpStatusCode.OK, (await AcceptAsync(token!)).StatusCode);
        return await SignInAsync(email);
    }

    /// <summary>A new operator person (invited by the operator's admin client), signed in.</summary>
    protected async Task<ConsoleSession> SignedInOperatorAsync()
    {
        var email = NewEmail("operator");
        var invited = await PostJsonAsync("/v1/people", new { email }, HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.OK, (await AcceptAsync(TokenOf(invited)!)).StatusCode);
        return await SignInAsync(email);
    }

    protected static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement;
    }
}
