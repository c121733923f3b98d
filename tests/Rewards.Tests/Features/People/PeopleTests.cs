using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.People;
using Rewards.Tests.Infrastructure;
using StackExchange.Redis;

namespace Rewards.Tests.Features.People;

/// <summary>Console people: invitations, passwords, sign-in, roles on /v1 routes, tenancy, anti-forgery, sessions, audit.</summary>
public sealed class PeopleTests(RewardsApiFactory factory) : PeopleTest(factory)
{
    private const string Rules = """{ "review": { "points": 50 } }""";

    [Fact]
    public async Task Invitation_SetPassword_SignIn_TheRoleOpensItsRoutes_403Elsewhere_404OnAnotherProgram()
    {
        var program = await CreateProgramAsync(Rules);
        var other = await CreateProgramAsync(Rules);
        var email = NewEmail("marketer");
        var (personId, token) = await InviteAsync(program, "  " + email.ToUpperInvariant() + " ", "marketer");
        Assert.NotNull(token);

        var accepted = await JsonAsync(await AcceptAsync(token!), HttpStatusCode.OK);
        Assert.Equal(personId, accepted.GetProperty("personId").GetString());
        Assert.Equal(email, accepted.GetProperty("email").GetString()); // normalized: trimmed, lower case
        var marketer = await SignInAsync(email);

        // marketer = rewards.perks + rewards.read: perks and reads work, in this program.
        await JsonAsync(await marketer.GetAsync($"/v1/programs/{program}/perks"), HttpStatusCode.OK);
        await JsonAsync(await marketer.GetAsync($"/v1/programs/{program}/members"), HttpStatusCode.OK);
        await JsonAsync(await marketer.GetAsync($"/v1/programs/{program}/stats"), HttpStatusCode.OK);
        var perk = new
        {
            kind = "news", title = "Spring menu", news = new { body = new Dictionary<string, string> { ["default"] = "New drinks" }, earlyAt = RewardsApiFactory.FarFuture, publicAt = RewardsApiFactory.FarFuture },
            audience = new { type = "all" }, schedule = new { type = "now" },
        };
        await JsonAsync(await marketer.SendAsync(HttpMethod.Post, $"/v1/programs/{program}/perks", perk), HttpStatusCode.Created);

        // Not the role's: recording activities (rewards.activities), API clients and people (owner), quotas (operator).
        var forbidden = await marketer.SendAsync(HttpMethod.Post, $"/v1/programs/{program}/activities", new { memberId = "m-1", type = "review" });
        await AssertProblemAsync(forbidden, HttpStatusCode.Forbidden);
        Assert.Contains("role", (await forbidden.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        await AssertProblemAsync(await marketer.GetAsync($"/v1/programs/{program}/clients"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await marketer.GetAsync($"/v1/programs/{program}/people"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await marketer.GetAsync($"/v1/programs/{program}/quotas"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await marketer.GetAsync("/v1/programs"), HttpStatusCode.Forbidden);

        // Another program: as if it did not exist, whatever the route.
        await AssertProblemAsync(await marketer.GetAsync($"/v1/programs/{other}/perks"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await marketer.GetAsync($"/v1/programs/{other}"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await marketer.SendAsync(HttpMethod.Post, $"/v1/programs/{other}/activities", new { memberId = "m-1", type = "review" }),
            HttpStatusCode.NotFound);

        var me = await JsonAsync(await marketer.GetAsync("/v1/me"), HttpStatusCode.OK);
        Assert.Equal(personId, me.GetProperty("personId").GetString());
        Assert.Equal("Camille Durand", me.GetProperty("displayName").GetString());
        Assert.False(me.GetProperty("operator").GetBoolean());
        var programs = me.GetProperty("programs").EnumerateArray().ToList();
        Assert.Equal(program, Assert.Single(programs).GetProperty("programId").GetString());
        Assert.Equal("marketer", programs[0].GetProperty("role").GetString());
        Assert.Equal(["rewards.perks", "rewards.read"], programs[0].GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).Order());
        Assert.Equal(marketer.CsrfToken, me.GetProperty("csrfToken").GetString());

        // A person may hold roles in several programs: invited again, to the other program, no link (the account exists).
        var again = await PostJsonAsync($"/v1/programs/{other}/people", new { email, role = "analyst" }, HttpStatusCode.Created);
        Assert.Null(TokenOf(again));
        Assert.Equal("active", again.GetProperty("status").GetString());
        await JsonAsync(await marketer.GetAsync($"/v1/programs/{other}/stats"), HttpStatusCode.OK);
        await AssertProblemAsync(await marketer.GetAsync($"/v1/programs/{other}/perks"), HttpStatusCode.Forbidden);
        Assert.Equal(2, (await JsonAsync(await marketer.GetAsync("/v1/me"), HttpStatusCode.OK)).GetProperty("programs").GetArrayLength());
    }

    [Fact]
    public async Task Me_IsForPeople_TokensGet403_AndNoCookie401()
    {
        await AssertProblemAsync(await Client.GetAsync("/v1/me"), HttpStatusCode.Forbidden);
        using var anonymous = Anonymous();
        var response = await anonymous.GetAsync("/v1/me");
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.NotEmpty(response.Headers.WwwAuthenticate);
        Assert.Contains("POST /v1/session", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        var stale = new HttpRequestMessage(HttpMethod.Get, "/v1/me");
        stale.Headers.Add("Cookie", $"{ConsoleSession.CookieName}=pe_000000000000000000000000.{new string('A', 43)}");
        var refused = await anonymous.SendAsync(stale);
        await AssertProblemAsync(refused, HttpStatusCode.Unauthorized);
        Assert.Contains("sign in again", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Owner_ManagesThePeopleOfTheirProgramOnly_AndReadsItsAuditLog()
    {
        var program = await CreateProgramAsync(Rules);
        var other = await CreateProgramAsync(Rules);
        var owner = await SignedInAsync(program, "owner");

        // Invites a moderator to their program (the link comes back to them), not to another program.
        var email = NewEmail("moderator");
        var (moderatorId, token) = await InviteAsync(program, email, "moderator", by: owner);
        await AssertProblemAsync(await owner.SendAsync(HttpMethod.Post, $"/v1/programs/{other}/people", new { email = NewEmail(), role = "owner" }),
            HttpStatusCode.NotFound);
        await AssertProblemAsync(await owner.SendAsync(HttpMethod.Post, $"/v1/programs/{program}/people", new { email = "not-an-address", role = "boss" }),
            HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.OK, (await AcceptAsync(token!)).StatusCode);
        var moderator = await SignInAsync(email);
        await JsonAsync(await moderator.GetAsync($"/v1/programs/{program}/activities/pending"), HttpStatusCode.OK);

        // The owner's own rights: API clients and program settings, not quotas.
        await JsonAsync(await owner.SendAsync(HttpMethod.Post, $"/v1/programs/{program}/clients", new { name = "shop", scopes = new[] { "rewards.read" } }),
            HttpStatusCode.Created);
        await AssertProblemAsync(await owner.GetAsync($"/v1/programs/{program}/quotas"), HttpStatusCode.Forbidden);

        // Role change: effective on the moderator's next request; disabling; removal.
        var changed = await JsonAsync(await owner.SendAsync(HttpMethod.Put, $"/v1/programs/{program}/people/{moderatorId}", new { role = "analyst" }),
            HttpStatusCode.OK);
        Assert.Equal("analyst", changed.GetProperty("role").GetString());
        await AssertProblemAsync(await moderator.GetAsync($"/v1/programs/{program}/activities/pending"), HttpStatusCode.Forbidden);
        await JsonAsync(await moderator.GetAsync($"/v1/programs/{program}/stats"), HttpStatusCode.OK);
        await JsonAsync(await owner.SendAsync(HttpMethod.Put, $"/v1/programs/{program}/people/{moderatorId}", new { role = "analyst", disabled = true }),
            HttpStatusCode.OK);
        await AssertProblemAsync(await moderator.GetAsync($"/v1/programs/{program}/stats"), HttpStatusCode.NotFound);
        await JsonAsync(await owner.SendAsync(HttpMethod.Put, $"/v1/programs/{program}/people/{moderatorId}", new { role = "analyst", disabled = false }),
            HttpStatusCode.OK);
        var people = await JsonAsync(await owner.GetAsync($"/v1/programs/{program}/people"), HttpStatusCode.OK);
        Assert.Equal(2, people.GetProperty("total").GetInt64());
        Assert.Equal(HttpStatusCode.NoContent, (await owner.SendAsync(HttpMethod.Delete, $"/v1/programs/{program}/people/{moderatorId}")).StatusCode);
        await AssertProblemAsync(await moderator.GetAsync($"/v1/programs/{program}/stats"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await owner.SendAsync(HttpMethod.Delete, $"/v1/programs/{program}/people/{moderatorId}"), HttpStatusCode.NotFound);
        Assert.Equal(1, (await JsonAsync(await owner.GetAsync($"/v1/programs/{program}/people"), HttpStatusCode.OK)).GetProperty("total").GetInt64());

        // The audit log tells it all, newest first; only the owner (and the operator) read it.
        await RequestSignInAsync(email, "a wrong password for sure");
        var audit = await JsonAsync(await owner.GetAsync($"/v1/programs/{program}/audit?limit=100"), HttpStatusCode.OK);
        var actions = audit.GetProperty("entries").EnumerateArray()
            .Where(e => e.TryGetProperty("personId", out var p) && p.GetString() == moderatorId).Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["removed", "enabled", "disabled", "role_changed", "sign_in", "invitation_accepted", "invited"], actions);
        var invitedEntry = audit.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("action").GetString() == "invited"
            && e.GetProperty("personId").GetString() == moderatorId);
        Assert.Equal($"person:{owner.PersonId}", invitedEntry.GetProperty("actor").GetString());
        // The failed sign-in came after the removal: that program no longer hears of them; the operator's log does.
        var operatorLog = await GetJsonAsync("/v1/audit?limit=100");
        Assert.Contains(operatorLog.GetProperty("entries").EnumerateArray(),
            e => e.GetProperty("action").GetString() == "sign_in_failed" && e.GetProperty("personId").GetString() == moderatorId);
        var analyst = await SignedInAsync(program, "analyst");
        await AssertProblemAsync(await analyst.GetAsync($"/v1/programs/{program}/audit"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await owner.GetAsync("/v1/audit"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await owner.GetAsync($"/v1/programs/{program}/audit?limit=101"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task InvitationLinks_WorkOnce_Expire_AndAreReplacedByANewInvitation()
    {
        var program = await CreateProgramAsync(Rules);

        var (_, used) = await InviteAsync(program, NewEmail(), "analyst");
        Assert.Equal(HttpStatusCode.OK, (await AcceptAsync(used!)).StatusCode);
        await AssertProblemAsync(await AcceptAsync(used!, "another password entirely"), HttpStatusCode.Gone);

        var replacedEmail = NewEmail();
        var (personId, replaced) = await InviteAsync(program, replacedEmail, "analyst");
        var reissued = await PostJsonAsync($"/v1/programs/{program}/people/{personId}/invitation", null, HttpStatusCode.Created);
        await AssertProblemAsync(await AcceptAsync(replaced!), HttpStatusCode.Gone);
        Assert.Equal(HttpStatusCode.OK, (await AcceptAsync(TokenOf(reissued)!)).StatusCode);
        await AssertProblemAsync(await Client.PostAsync($"/v1/programs/{program}/people/{personId}/invitation", null), HttpStatusCode.Conflict);

        var (_, expiring) = await InviteAsync(program, NewEmail(), "analyst");
        Factory.Clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromSeconds(1));
        var expired = await AcceptAsync(expiring!);
        await AssertProblemAsync(expired, HttpStatusCode.Gone);
        Assert.Contains("expired", (await expired.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        // A forged token (right shape, wrong secret) is no better.
        var forged = personId + "." + PeopleStoreBase64Url(RandomNumberGenerator.GetBytes(32));
        await AssertProblemAsync(await AcceptAsync(forged), HttpStatusCode.Gone);
    }

    [Theory]
    [InlineData("short one", "Too short")] // 9 characters
    [InlineData("1qaz2wsx3edc4rfv", "most commonly used")] // long enough, but on the list of common passwords
    [InlineData("QWERTYUIOP12345", "most commonly used")] // the list is case-insensitive
    [InlineData("abcabcabcabcabcabc", "repeats")]
    [InlineData("zzzzzzzzzzzzzzzzzzzzzzzz", "repeats")]
    public async Task Passwords_FollowNist_MinimumLength_Blocklist_NoCompositionRules(string password, string why)
    {
        var program = await CreateProgramAsync(Rules);
        var (_, token) = await InviteAsync(program, NewEmail(), "analyst");
        var refused = await AcceptAsync(token!, password);
        await AssertProblemAsync(refused, HttpStatusCode.BadRequest);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("password");
        Assert.Contains(why, errors[0].GetString());
        // Nothing was changed: the same link still works, with a long lower-case passphrase (no digit, symbol or capital needed).
        Assert.Equal(HttpStatusCode.OK, (await AcceptAsync(token!, "tulips grow slowly in march")).StatusCode);
    }

    [Fact]
    public async Task Passwords_MayBeLong_AndAnyCharacters_ButNotTheEmailAddress()
    {
        var program = await CreateProgramAsync(Rules);
        var email = NewEmail();
        var (_, token) = await InviteAsync(program, email, "analyst");
        await AssertProblemAsync(await AcceptAsync(token!, email), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await AcceptAsync(token!, new string('x', 60) + "y" + new string('q', 68)), HttpStatusCode.BadRequest); // 129
        var long64 = "Été à Lyon 🌞 — café crème, croissant et pain au chocolat pour nous";
        Assert.Equal(HttpStatusCode.OK, (await AcceptAsync(token!, long64)).StatusCode);
        await SignInAsync(email, long64);
    }

    [Fact]
    public async Task SignIn_LocksTheAccount_AfterRepeatedFailures_EvenForTheRightPassword_AndOnlyThatAccount()
    {
        var program = await CreateProgramAsync(Rules);
        var email = NewEmail();
        var (_, token) = await InviteAsync(program, email, "analyst");
        await AcceptAsync(token!);
        var bystander = NewEmail();
        await AcceptAsync((await InviteAsync(program, bystander, "analyst")).Token!);

        for (var i = 0; i < 10; i++)
        {
            var wrong = await RequestSignInAsync(email, $"not the password {i}");
            await AssertProblemAsync(wrong, HttpStatusCode.Unauthorized);
            Assert.DoesNotContain("Set-Cookie", wrong.Headers.Select(h => h.Key));
        }
        var locked = await RequestSignInAsync(email, Password);
        await AssertProblemAsync(locked, HttpStatusCode.TooManyRequests);
        Assert.True(locked.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(10), $"Retry-After {locked.Headers.RetryAfter}");
        Assert.Contains("locked", (await locked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        await SignInAsync(bystander); // the lockout is the account's, not the address's
        // An unknown address and a wrong password get the same answer.
        var unknown = await RequestSignInAsync(NewEmail("nobody"), Password);
        await AssertProblemAsync(unknown, HttpStatusCode.Unauthorized);
        Assert.Equal("Wrong e-mail address or password.", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task SignIn_FromAnAddressThatFailedTooOften_IsRefused_BeforeThePasswordIsChecked()
    {
        var program = await CreateProgramAsync(Rules);
        var email = NewEmail();
        await AcceptAsync((await InviteAsync(program, email, "analyst")).Token!);
        using var strict = Factory.WithWebHostBuilder(b => b
            .UseSetting("Rewards:Jobs:Server", "false")
            .UseSetting("Rewards:People:AddressFailureBurst", "3")
            .UseSetting("Rewards:People:AddressFailuresPerMinute", "0.01"));
        using var http = strict.CreateClient(new() { HandleCookies = false });
        for (var i = 0; i < 3; i++)
        {
            await AssertProblemAsync(await RequestSignInAsync(NewEmail("guess"), "some guessed password", http), HttpStatusCode.Unauthorized);
        }
        var refused = await RequestSignInAsync(email, Password, http);
        await AssertProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.NotNull(refused.Headers.RetryAfter);
        Factory.RestoreHangfireGlobals();
    }

    [Fact]
    public async Task SessionCookie_IsHttpOnly_StrictSameSite_Secure_HostPrefixed_AndStoredOnlyAsAHash()
    {
        var program = await CreateProgramAsync(Rules);
        var email = NewEmail();
        await AcceptAsync((await InviteAsync(program, email, "analyst")).Token!);
        var response = await RequestSignInAsync(email, Password);
        var cookie = response.Headers.GetValues("Set-Cookie").Single();
        Assert.StartsWith("__Host-rewards-session=", cookie);
        var attributes = cookie.Split(';').Skip(1).Select(a => a.Trim().ToLowerInvariant()).ToList();
        Assert.Contains("httponly", attributes);
        Assert.Contains("secure", attributes);
        Assert.Contains("samesite=strict", attributes);
        Assert.Contains("path=/", attributes);
        Assert.DoesNotContain(attributes, a => a.StartsWith("domain", StringComparison.Ordinal));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(body.TryGetProperty("token", out _)); // no token for browser storage: the cookie is the session

        var value = cookie.Split(';')[0].Split('=', 2)[1];
        var (personId, secret) = (value[..27], value[28..]);
        var db = Factory.Redis.GetDatabase();
        var hash = Convert.ToHexStringLower(SHA256.HashData(Convert.FromBase64String(secret.Replace('-', '+').Replace('_', '/') + "=")));
        var keys = await Factory.KeysAsync($"rw:person:{{{personId}}}*");
        Assert.Contains($"rw:person:{{{personId}}}:session:{hash}", keys);
        foreach (var key in keys)
        {
            Assert.DoesNotContain(secret, key);
            var type = await db.KeyTypeAsync(key);
            var values = type == RedisType.Hash ? (await db.HashGetAllAsync(key)).Select(e => e.Value.ToString())
                : type == RedisType.SortedSet ? (await db.SortedSetRangeByRankAsync(key)).Select(v => v.ToString()) : [];
            Assert.DoesNotContain(values, v => v.Contains(secret, StringComparison.Ordinal));
        }
        // Inactivity: the session's TTL is the idle timeout (30 min), renewed by each request.
        var sessionKey = $"rw:person:{{{personId}}}:session:{hash}";
        Assert.InRange((await db.KeyTimeToLiveAsync(sessionKey))!.Value, TimeSpan.FromMinutes(29), TimeSpan.FromMinutes(30));
        await db.KeyExpireAsync(sessionKey, TimeSpan.FromMinutes(5));
        var session = new ConsoleSession(Anonymous(), value, body.GetProperty("csrfToken").GetString()!, personId);
        await JsonAsync(await session.GetAsync("/v1/me"), HttpStatusCode.OK);
        Assert.InRange((await db.KeyTimeToLiveAsync(sessionKey))!.Value, TimeSpan.FromMinutes(29), TimeSpan.FromMinutes(30));
        // Idle past the timeout: Redis expired the session.
        await db.KeyDeleteAsync(sessionKey);
        await AssertProblemAsync(await session.GetAsync("/v1/me"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Session_EndsAfterItsAbsoluteLifetime_HoweverActive()
    {
        var program = await CreateProgramAsync(Rules);
        var session = await SignedInAsync(program, "analyst");
        Factory.Clock.Advance(TimeSpan.FromHours(11));
        await JsonAsync(await session.GetAsync("/v1/me"), HttpStatusCode.OK);
        Factory.Clock.Advance(TimeSpan.FromHours(1));
        await AssertProblemAsync(await session.GetAsync("/v1/me"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task StateChangingRequests_WithTheCookie_AreRefusedWithoutTheAntiForgeryToken_AndChangeNothing()
    {
        var program = await CreateProgramAsync(Rules);
        var owner = await SignedInAsync(program, "owner");
        var other = await SignedInAsync(program, "owner");
        var perk = new { kind = "news", title = "Hello", news = new { body = new Dictionary<string, string> { ["default"] = "Hi" }, earlyAt = RewardsApiFactory.FarFuture, publicAt = RewardsApiFactory.FarFuture }, audience = new { type = "all" }, schedule = new { type = "now" } };

        // Without the header, with a forged token, with another session's token: 403, and nothing is created.
        foreach (var csrf in new string?[] { null, "forged-token", other.CsrfToken })
        {
            var response = await owner.SendAsync(HttpMethod.Post, $"/v1/programs/{program}/perks", perk, csrf: csrf);
            await AssertProblemAsync(response, HttpStatusCode.Forbidden);
            Assert.Contains("X-CSRF-Token", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }
        Assert.Equal(0, (await JsonAsync(await owner.GetAsync($"/v1/programs/{program}/perks"), HttpStatusCode.OK)).GetProperty("total").GetInt64());
        await JsonAsync(await owner.SendAsync(HttpMethod.Post, $"/v1/programs/{program}/perks", perk), HttpStatusCode.Created);
        await AssertProblemAsync(await owner.SendAsync(HttpMethod.Delete, "/v1/me/sessions", csrf: null), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await owner.SendAsync(HttpMethod.Post, $"/v1/programs/{program}/people", new { email = NewEmail(), role = "owner" }, csrf: null),
            HttpStatusCode.Forbidden);
        Assert.Equal(1, (await JsonAsync(await owner.GetAsync($"/v1/programs/{program}/perks"), HttpStatusCode.OK)).GetProperty("total").GetInt64());
        Assert.Equal(2, (await JsonAsync(await owner.GetAsync($"/v1/programs/{program}/people"), HttpStatusCode.OK)).GetProperty("total").GetInt64());
        await JsonAsync(await owner.GetAsync("/v1/me"), HttpStatusCode.OK); // reads need no token; the session still works
    }

    [Fact]
    public async Task SignOut_EndsOneSession_SignOutEverywhere_EndsAllOnEveryInstance()
    {
        var program = await CreateProgramAsync(Rules);
        var email = NewEmail();
        await AcceptAsync((await InviteAsync(program, email, "analyst")).Token!);
        var laptop = await SignInAsync(email);
        var phone = await SignInAsync(email);
        var tablet = await SignInAsync(email);
        using var second = Factory.WithWebHostBuilder(b => b.UseSetting("Rewards:Jobs:Server", "false"));
        using var secondHttp = second.CreateClient(new() { HandleCookies = false });
        await JsonAsync(await phone.GetAsync("/v1/me", via: secondHttp), HttpStatusCode.OK);

        var signedOut = await laptop.SendAsync(HttpMethod.Delete, "/v1/session");
        Assert.Equal(HttpStatusCode.NoContent, signedOut.StatusCode);
        Assert.Contains(signedOut.Headers.GetValues("Set-Cookie"), c => c.StartsWith(ConsoleSession.CookieName + "=;", StringComparison.Ordinal));
        await AssertProblemAsync(await laptop.GetAsync("/v1/me"), HttpStatusCode.Unauthorized);
        await JsonAsync(await phone.GetAsync("/v1/me"), HttpStatusCode.OK);

        // Everywhere, from the tablet on this instance: the phone's session is refused on the other instance within 5 s.
        Assert.Equal(HttpStatusCode.NoContent, (await tablet.SendAsync(HttpMethod.Delete, "/v1/me/sessions")).StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        var status = (await phone.GetAsync($"/v1/programs/{program}/stats", via: secondHttp)).StatusCode;
        while (status != HttpStatusCode.Unauthorized && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            status = (await phone.GetAsync($"/v1/programs/{program}/stats", via: secondHttp)).StatusCode;
        }
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        await AssertProblemAsync(await tablet.GetAsync("/v1/me"), HttpStatusCode.Unauthorized);

        // The operator disables the account: a fresh session ends at once, and the password no longer opens one.
        var fresh = await SignInAsync(email);
        var person = (await GetJsonAsync($"/v1/programs/{program}/people")).GetProperty("people")[0].GetProperty("personId").GetString();
        Assert.Equal("disabled", (await PostJsonAsync($"/v1/people/{person}/disable", null, HttpStatusCode.OK)).GetProperty("status").GetString());
        await AssertProblemAsync(await fresh.GetAsync("/v1/me", via: secondHttp), HttpStatusCode.Unauthorized);
        await AssertProblemAsync(await RequestSignInAsync(email, Password), HttpStatusCode.Unauthorized);
        await PostJsonAsync($"/v1/people/{person}/enable", null, HttpStatusCode.OK);
        await SignInAsync(email);
        Factory.RestoreHangfireGlobals();
    }

    [Fact]
    public async Task Operator_InvitesOperators_WhoActEverywhere_AndDeletesAccounts()
    {
        var program = await CreateProgramAsync(Rules);
        var op = await SignedInOperatorAsync();
        var me = await JsonAsync(await op.GetAsync("/v1/me"), HttpStatusCode.OK);
        Assert.True(me.GetProperty("operator").GetBoolean());
        await JsonAsync(await op.GetAsync("/v1/programs"), HttpStatusCode.OK);
        await JsonAsync(await op.GetAsync($"/v1/programs/{program}/quotas"), HttpStatusCode.OK);
        await JsonAsync(await op.GetAsync($"/v1/programs/{program}/audit"), HttpStatusCode.OK);
        var email = NewEmail();
        var (personId, token) = await InviteAsync(program, email, "analyst", by: op);
        await AcceptAsync(token!);
        var analyst = await SignInAsync(email);
        var listed = await JsonAsync(await op.GetAsync("/v1/people?limit=100"), HttpStatusCode.OK);
        Assert.True(listed.GetProperty("total").GetInt64() >= 2);
        Assert.Equal(HttpStatusCode.NoContent, (await op.SendAsync(HttpMethod.Delete, $"/v1/people/{personId}")).StatusCode);
        await AssertProblemAsync(await analyst.GetAsync("/v1/me"), HttpStatusCode.Unauthorized);
        await AssertProblemAsync(await op.GetAsync($"/v1/people/{personId}"), HttpStatusCode.NotFound);
        Assert.Empty(await Factory.KeysAsync($"rw:person:{{{personId}}}*"));
        Assert.Equal(0, (await JsonAsync(await op.GetAsync($"/v1/programs/{program}/people"), HttpStatusCode.OK)).GetProperty("total").GetInt64());
        // The address is free again: a new invitation makes a new person.
        Assert.NotEqual(personId, (await InviteAsync(program, email, "analyst")).PersonId);
    }

    [Fact]
    public async Task WithAnInvitationSender_TheLinkGoesToTheAddress_NotBackToTheInviter()
    {
        var program = await CreateProgramAsync(Rules);
        var sender = new RecordingSender();
        using var mailing = Factory.WithWebHostBuilder(b => b
            .UseSetting("Rewards:Jobs:Server", "false")
            .ConfigureTestServices(services => services.AddSingleton<IInvitationSender>(sender)));
        using var http = mailing.CreateClient(new() { HandleCookies = false });
        http.DefaultRequestHeaders.Authorization = new("Bearer", await Factory.AdminTokenAsync());
        var email = NewEmail();

        var invited = await JsonAsync(await http.PostAsJsonAsync($"/v1/programs/{program}/people", new { email, role = "analyst" }), HttpStatusCode.Created);

        var invitation = invited.GetProperty("invitation");
        Assert.True(invitation.GetProperty("sent").GetBoolean());
        Assert.False(invitation.TryGetProperty("link", out _));
        var (to, link) = Assert.Single(sender.Sent);
        Assert.Equal(email, to);
        Assert.Equal(HttpStatusCode.OK, (await AcceptAsync(link.Split("#token=")[1])).StatusCode);
        Factory.RestoreHangfireGlobals();
    }

    private sealed class RecordingSender : IInvitationSender
    {
        public List<(string Email, string Link)> Sent { get; } = [];

        public bool Delivers => true;

        public Task SendAsync(string email, string link, DateTimeOffset expiresAt, CancellationToken cancellationToken)
        {
            Sent.Add((email, link));
            return Task.CompletedTask;
        }
    }

    private static string PeopleStoreBase64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
