using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Rewards.Api.Features.Webhooks;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Webhooks;

/// <summary>Endpoints: the scope, validation, the secret shown once, the delivery log, replays, test sends, the SSRF guard.</summary>
public sealed class WebhookEndpointsTests(RewardsApiFactory factory) : WebhookApiTest(factory)
{
    [Fact]
    public async Task WebhooksScope_ManagesEndpoints_AndTheSecretIsShownOnlyOnCreation()
    {
        var programId = await CreateProgramAsync("{}");
        using var owner = await ClientOfProgramAsync(programId, Scopes.Webhooks);
        using var reader = await ClientOfProgramAsync(programId, Scopes.Read, Scopes.Activities, Scopes.Perks);

        var created = await owner.PostAsJsonAsync($"/v1/programs/{programId}/webhooks",
            new { url = "https://crm.example.com/hooks/rewards", eventTypes = new[] { "tier.changed" }, description = "CRM" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("endpoint").GetProperty("id").GetString()!;
        Assert.StartsWith("whsec_", body.GetProperty("secret").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync($"/v1/programs/{programId}/webhooks")).StatusCode);

        var read = await owner.GetStringAsync($"/v1/programs/{programId}/webhooks/{id}");
        var list = await owner.GetFromJsonAsync<JsonElement>($"/v1/programs/{programId}/webhooks");
        Assert.DoesNotContain("whsec_", read + list);
        Assert.Equal(1, list.GetProperty("total").GetInt64());
        var endpoint = JsonDocument.Parse(read).RootElement;
        Assert.Equal(("https://crm.example.com/hooks/rewards", "tier.changed", "CRM", true), (endpoint.GetProperty("url").GetString(),
            endpoint.GetProperty("eventTypes")[0].GetString(), endpoint.GetProperty("description").GetString(), endpoint.GetProperty("enabled").GetBoolean()));

        var patched = await owner.PatchAsJsonAsync($"/v1/programs/{programId}/webhooks/{id}", new { enabled = false, eventTypes = new[] { "member.*" } });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var after = await patched.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((false, "manual", "member.*", "CRM"), (after.GetProperty("enabled").GetBoolean(), after.GetProperty("disabledReason").GetString(),
            after.GetProperty("eventTypes")[0].GetString(), after.GetProperty("description").GetString()));

        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/v1/programs/{programId}/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync($"/v1/programs/{programId}/webhooks/{id}")).StatusCode);
        Assert.Empty(await Factory.KeysAsync($"rw:{{{programId}}}:webhook:*"));
    }

    [Theory]
    [InlineData("""{"url":"ftp://crm.example.com/x"}""", "url")]
    [InlineData("""{"url":"/hooks/relative"}""", "url")]
    [InlineData("""{"url":"https://user:pass@crm.example.com/x"}""", "url")]
    [InlineData("""{"url":"https://crm.example.com/x\n"}""", "url")]
    [InlineData("""{}""", "url")]
    [InlineData("""{"url":"https://crm.example.com/x","eventTypes":[]}""", "eventTypes")]
    [InlineData("""{"url":"https://crm.example.com/x","eventTypes":["Tier.Changed"]}""", "eventTypes")]
    [InlineData("""{"url":"https://crm.example.com/x","eventTypes":["tier.changed","tier.changed"]}""", "eventTypes")]
    [InlineData("""{"url":"https://crm.example.com/x","description":"  "}""", "description")]
    public async Task BadEndpoint_IsRefused_NamingTheField_AndNothingIsCreated(string json, string field)
    {
        var programId = await CreateProgramAsync("{}");
        var response = await Client.PostAsync($"/v1/programs/{programId}/webhooks", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Empty(await Factory.KeysAsync($"rw:{{{programId}}}:webhook*"));
    }

    [Fact]
    public async Task Program_HoldsAtMost20Endpoints()
    {
        var programId = await CreateProgramAsync("{}");
        for (var i = 0; i < WebhookLimits.MaxEndpoints; i++)
        {
            await CreateEndpointAsync(programId, $"https://crm.example.com/{i}");
        }
        var refused = await Client.PostAsJsonAsync($"/v1/programs/{programId}/webhooks", new { url = "https://crm.example.com/one-more" });

        await AssertProblemAsync(refused, HttpStatusCode.Conflict);
        var page = await GetJsonAsync($"/v1/programs/{programId}/webhooks?offset=15&limit=10");
        Assert.Equal((20, 5), (page.GetProperty("total").GetInt32(), page.GetProperty("endpoints").GetArrayLength()));
    }

    [Fact]
    public async Task DeliveryLog_IsPagedNewestFirst_AndKeepsTheFirstKilobyteOfTheAnswer()
    {
        var programId = await CreateProgramAsync("{}");
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => (200, null, new string('x', 5_000));
        var (endpointId, _) = await CreateEndpointAsync(programId, receiver.Url);
        var events = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            events.Add(await AppendEventAsync(programId, "activity.awarded", $"m-{i}"));
            await receiver.WaitForAsync(i + 1);
            await DeliveriesAsync(programId, endpointId, i + 1);
        }

        var first = await GetJsonAsync($"/v1/programs/{programId}/webhooks/{endpointId}/deliveries?limit=2");
        var cursor = first.GetProperty("nextCursor").GetString();
        var second = await GetJsonAsync($"/v1/programs/{programId}/webhooks/{endpointId}/deliveries?limit=2&cursor={cursor}");

        var entries = first.GetProperty("deliveries").EnumerateArray().Concat(second.GetProperty("deliveries").EnumerateArray()).ToList();
        Assert.Equal(events.AsEnumerable().Reverse(), entries.Select(e => e.GetProperty("eventId").GetString()));
        Assert.False(second.TryGetProperty("nextCursor", out var end) && end.ValueKind != JsonValueKind.Null);
        Assert.All(entries, e => Assert.Equal(WebhookDispatcher.ResponseExcerptBytes, e.GetProperty("response").GetString()!.Length));
        Assert.All(entries, e => Assert.Equal((200, "activity.awarded", "event"),
            (e.GetProperty("status").GetInt32(), e.GetProperty("eventType").GetString(), e.GetProperty("kind").GetString())));
    }

    [Fact]
    public async Task Replay_OfOneEvent_AndOfEveryFailedSinceATime_DoesNotCountTowardDisabling()
    {
        var programId = await CreateProgramAsync("{}");
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => (500, null, "down");
        var (endpointId, _) = await CreateEndpointAsync(programId, receiver.Url);
        var a = await AppendEventAsync(programId, "activity.awarded", "alice");
        var b = await AppendEventAsync(programId, "activity.awarded", "bob");
        await receiver.WaitForAsync(2);
        await DeliveriesAsync(programId, endpointId, 2);

        // Disabled with two deliveries waiting for a retry: they fail for good, to be replayed.
        var url = $"/v1/programs/{programId}/webhooks/{endpointId}";
        Assert.Equal(HttpStatusCode.OK, (await Client.PatchAsJsonAsync(url, new { enabled = false })).StatusCode);
        await AssertProblemAsync(await Client.PostAsJsonAsync($"{url}/replay", new { since = RewardsApiFactory.DefaultNow }), HttpStatusCode.Conflict);
        Advance(TimeSpan.FromSeconds(10));
        await QuietAsync();
        Assert.Equal(2, receiver.Received.Count);
        Assert.Equal(HttpStatusCode.OK, (await Client.PatchAsJsonAsync(url, new { enabled = true })).StatusCode);

        // Replays that fail are retried but never make the endpoint "failing".
        var replay = await PostJsonAsync($"{url}/replay", new { since = RewardsApiFactory.DefaultNow }, HttpStatusCode.Accepted);
        Assert.Equal((2, 2), (replay.GetProperty("queued").GetInt32(), replay.GetProperty("failed").GetInt32()));
        await receiver.WaitForAsync(4);
        await DeliveriesAsync(programId, endpointId, 4);
        Assert.False((await EndpointAsync(programId, endpointId)).TryGetProperty("failingSince", out var since) && since.ValueKind != JsonValueKind.Null);

        receiver.Answer = _ => (200, null, "ok");
        Advance(TimeSpan.FromSeconds(10));
        var replayed = await receiver.WaitForAsync(2, r => receiver.Received.ToList().IndexOf(r) >= 4);
        Assert.Equal([a, b], replayed.Select(r => r.Id).Order());
        var log = await DeliveriesAsync(programId, endpointId, 6);
        Assert.All(log.Take(4), e => Assert.Equal("replay", e.GetProperty("kind").GetString()));
        Assert.Equal(0, (await PostJsonAsync($"{url}/replay", new { since = RewardsApiFactory.DefaultNow }, HttpStatusCode.Accepted))
            .GetProperty("failed").GetInt32()); // delivered: no longer failed

        // One event, delivered before or not.
        await PostJsonAsync($"{url}/deliveries/{a}/replay", null, HttpStatusCode.Accepted);
        await receiver.WaitForAsync(7);
        await AssertProblemAsync(await Client.PostAsync($"{url}/deliveries/1-0/replay", null), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TestSend_AnswersWhatTheEndpointReplied_AndIsLogged()
    {
        var programId = await CreateProgramAsync("{}");
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => (202, null, "queued on our side");
        var (endpointId, secret) = await CreateEndpointAsync(programId, receiver.Url);

        var test = await PostJsonAsync($"/v1/programs/{programId}/webhooks/{endpointId}/test", null, HttpStatusCode.OK);

        Assert.Equal((true, 202, "queued on our side"), (test.GetProperty("delivered").GetBoolean(), test.GetProperty("status").GetInt32(),
            test.GetProperty("response").GetString()));
        var received = receiver.Received.Single();
        Assert.Equal("webhook.test", JsonDocument.Parse(received.Body).RootElement.GetProperty("type").GetString());
        Assert.Equal(["ok"], await VerifyWithSpecLibraryAsync(secret, [received]));
        var logged = (await DeliveriesAsync(programId, endpointId, 1)).Single();
        Assert.Equal(("test", test.GetProperty("messageId").GetString()), (logged.GetProperty("kind").GetString(), logged.GetProperty("eventId").GetString()));
    }

    [Fact]
    public async Task WithoutTheOperatorsAllowance_NonPublicAndPlainHttpUrls_AreRefused()
    {
        string[] refusedUrls =
        [
            "http://crm.example.com/hooks", // plain http
            "https://127.0.0.1:8443/hooks", "https://localhost/hooks", "https://api.localhost/hooks", "https://[::1]/hooks", // loopback
            "https://10.1.2.3/hooks", "https://172.16.0.1/hooks", "https://192.168.0.10/hooks", // private
            "https://169.254.169.254/latest/meta-data", "https://[fe80::1]/hooks", // link-local (cloud metadata)
            "https://[fd00::1]/hooks", // unique local
            "https://[::ffff:10.0.0.1]/hooks", // IPv4-mapped private
            "https://224.0.0.1/hooks", "https://0.0.0.0/hooks", "https://100.64.1.1/hooks",
        ];
        var programId = await CreateProgramAsync("{}");
        using var strict = StrictInstance();
        using var client = strict.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", await Factory.AdminTokenAsync());

        foreach (var url in refusedUrls)
        {
            var refused = await client.PostAsJsonAsync($"/v1/programs/{programId}/webhooks", new { url });
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{url}: {(int)refused.StatusCode}");
            Assert.Contains("url", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        }
        var accepted = await client.PostAsJsonAsync($"/v1/programs/{programId}/webhooks", new { url = "https://crm.example.com/hooks" });
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal(1, (await GetJsonAsync($"/v1/programs/{programId}/webhooks")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task WithoutTheOperatorsAllowance_ANameResolvingToLoopback_IsRefusedAtConnectTime()
    {
        var programId = await CreateProgramAsync("{}");
        await using var receiver = await WebhookReceiver.StartAsync();
        // Accepted by the test host (allowance on); a strict instance sends it: the name resolves to loopback when it connects.
        var (endpointId, _) = await CreateEndpointAsync(programId, receiver.Url.Replace("127.0.0.1", "localhost"));
        using var strict = StrictInstance();
        using var client = strict.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", await Factory.AdminTokenAsync());

        var test = await client.PostAsync($"/v1/programs/{programId}/webhooks/{endpointId}/test", null);
        var answer = await test.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, test.StatusCode);
        Assert.False(answer.GetProperty("delivered").GetBoolean());
        Assert.Contains("refused", answer.GetProperty("error").GetString());
        Assert.Empty(receiver.Received);
        // The guard itself: any non-public address after resolution, unless allowed by network.
        var policy = new WebhookAddressPolicy(allowHttp: true, allowPrivateNetworks: false, [System.Net.IPNetwork.Parse("10.20.0.0/16")]);
        Assert.True(policy.IsAllowed(IPAddress.Parse("10.20.3.4")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("10.21.3.4")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("93.184.215.14")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("100.64.0.1")));
    }

    /// <summary>A second instance on the same Redis with the production defaults: https only, public addresses only.</summary>
    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> StrictInstance() =>
        Factory.WithWebHostBuilder(b => b
            .UseSetting("Rewards:Jobs:Server", "false")
            .UseSetting("Rewards:Webhooks:Dispatcher", "false")
            .UseSetting("Rewards:Webhooks:AllowHttp", "false")
            .UseSetting("Rewards:Webhooks:AllowPrivateNetworks", "false"));
}
