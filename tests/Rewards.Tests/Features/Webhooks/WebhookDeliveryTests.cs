using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Webhooks;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Tests.Features.Events;
using Rewards.Tests.Infrastructure;
using StackExchange.Redis;

namespace Rewards.Tests.Features.Webhooks;

/// <summary>Delivery: signatures, event types, retries, Retry-After, 410, disabling after days of failures, lease takeover.</summary>
public sealed class WebhookDeliveryTests(RewardsApiFactory factory) : WebhookApiTest(factory)
{
    [Fact]
    public async Task Delivery_IsSignedAsStandardWebhooksSay_AndTheSpecsOwnLibraryAcceptsIt()
    {
        var programId = await CreateProgramAsync("{}");
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpointId, secret) = await CreateEndpointAsync(programId, receiver.Url);
        Assert.Matches(@"^whsec_[A-Za-z0-9+/]{32}$", secret);

        var eventId = await AppendEventAsync(programId, "tier.changed", "alice", new { from = "Bronze", to = "Gold" });
        var delivery = (await receiver.WaitForAsync(1)).Single();

        Assert.Equal(eventId, delivery.Id);
        Assert.InRange(long.Parse(delivery.Timestamp), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Matches(@"^v1,[A-Za-z0-9+/]{43}=$", delivery.Signature);
        var body = JsonDocument.Parse(delivery.Body).RootElement;
        Assert.Equal(eventId, body.GetProperty("id").GetString());
        Assert.Equal("tier.changed", body.GetProperty("type").GetString());
        Assert.Equal(programId, body.GetProperty("programId").GetString());
        Assert.Equal("alice", body.GetProperty("memberId").GetString());
        Assert.Equal(1, body.GetProperty("sequence").GetInt64());
        Assert.Equal("Gold", body.GetProperty("data").GetProperty("to").GetString());
        Assert.Equal(RewardsApiFactory.DefaultNow, body.GetProperty("occurredAt").GetDateTimeOffset());

        // The reference library accepts it, and refuses it with another secret or a changed body: it really checks.
        var tampered = delivery with { Body = delivery.Body.Replace("Gold", "Platinum") };
        Assert.Equal(["ok", "refused: No matching signature found", "refused: No matching signature found"],
            (await VerifyWithSpecLibraryAsync(secret, [delivery, tampered])).Concat(
                await VerifyWithSpecLibraryAsync(WebhookSigner.NewSecret(), [delivery])));
        Assert.Equal("delivered", (await DeliveriesAsync(programId, endpointId, 1))[0].GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task AnAward_IsDelivered_WithTheEnvelopeTheEventsApiShows()
    {
        var programId = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, secret) = await CreateEndpointAsync(programId, receiver.Url, ["activity.*"]);

        var activityId = (await RecordAsync(programId, "alice", "review", "product-1")).GetProperty("activityId").GetString();
        var delivery = (await receiver.WaitForAsync(1)).Single();

        var polled = (await GetJsonAsync($"/v1/programs/{programId}/events?types=activity.awarded")).GetProperty("events")[0];
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(polled.GetRawText()),
            System.Text.Json.Nodes.JsonNode.Parse(delivery.Body)), $"polled {polled.GetRawText()}, delivered {delivery.Body}");
        Assert.Equal(activityId, JsonDocument.Parse(delivery.Body).RootElement.GetProperty("data").GetProperty("activityId").GetString());
        Assert.Equal(["ok"], await VerifyWithSpecLibraryAsync(secret, [delivery]));
        await QuietAsync();
        Assert.Single(receiver.Received); // member.badge_earned, tier... are not activity.*: not sent
    }

    [Fact]
    public async Task RotatedSecret_SignsAlongsideTheNewOne_For24Hours()
    {
        var programId = await CreateProgramAsync("{}");
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpointId, oldSecret) = await CreateEndpointAsync(programId, receiver.Url);

        var rotated = await PostJsonAsync($"/v1/programs/{programId}/webhooks/{endpointId}/rotate-secret", null, HttpStatusCode.OK);
        var newSecret = rotated.GetProperty("secret").GetString()!;
        Assert.Equal(RewardsApiFactory.DefaultNow.AddHours(24), rotated.GetProperty("previousSecretValidUntil").GetDateTimeOffset());
        await AppendEventAsync(programId, "badge.earned", "bob");
        var both = (await receiver.WaitForAsync(1)).Single();

        Assert.Equal(2, both.Signature.Split(' ').Length);
        Assert.Equal(["ok"], await VerifyWithSpecLibraryAsync(newSecret, [both]));
        Assert.Equal(["ok"], await VerifyWithSpecLibraryAsync(oldSecret, [both]));

        Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        await AppendEventAsync(programId, "badge.earned", "bob");
        var after = (await receiver.WaitForAsync(2))[1];
        Assert.Single(after.Signature.Split(' '));
        Assert.Equal(["ok"], await VerifyWithSpecLibraryAsync(newSecret, [after]));
        Assert.StartsWith("refused", (await VerifyWithSpecLibraryAsync(oldSecret, [after]))[0]);
    }

    [Fact]
    public async Task Endpoint_GetsOnlyItsEventTypes_AndOnlyEventsAppendedAfterItWasCreated()
    {
        var programId = await CreateProgramAsync("{}");
        await using var receiver = await WebhookReceiver.StartAsync();
        await AppendEventAsync(programId, "member.suspended", "before");
        await CreateEndpointAsync(programId, receiver.Url, ["member.*", "redemption.created"]);

        await AppendEventAsync(programId, "activity.awarded", "alice");
        var suspended = await AppendEventAsync(programId, "member.suspended", "alice");
        await AppendEventAsync(programId, "redemption.confirmed", "alice");
        var redemption = await AppendEventAsync(programId, "redemption.created", "alice");
        await receiver.WaitForAsync(2);
        await QuietAsync();

        Assert.Equal([suspended, redemption], receiver.Received.Select(r => r.Id).Order());
    }

    [Fact]
    public async Task FailedDelivery_IsRetriedOnTheSchedule_UntilTheReceiverRecovers()
    {
        var programId = await CreateProgramAsync("{}");
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => (500, null, "database down");
        var (endpointId, _) = await CreateEndpointAsync(programId, receiver.Url);
        var eventId = await AppendEventAsync(programId, "perk.granted", "alice");

        await receiver.WaitForAsync(1);
        var first = (await DeliveriesAsync(programId, endpointId, 1)).Single();
        Assert.Equal(("retry", 1, 500, "database down"), (first.GetProperty("outcome").GetString(), first.GetProperty("attempt").GetInt32(),
            first.GetProperty("status").GetInt32(), first.GetProperty("response").GetString()));
        var next = first.GetProperty("nextAttemptAt").GetDateTimeOffset() - RewardsApiFactory.DefaultNow;
        Assert.InRange(next, TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(5.5)); // 5 s ± 10 %
        Assert.Equal(RewardsApiFactory.DefaultNow, (await EndpointAsync(programId, endpointId)).GetProperty("failingSince").GetDateTimeOffset());

        await QuietAsync(); // not before it is due
        Assert.Single(receiver.Received);
        Advance(TimeSpan.FromSeconds(6));
        await receiver.WaitForAsync(2);
        var second = (await DeliveriesAsync(programId, endpointId, 2))[0];
        Assert.Equal((2, "retry"), (second.GetProperty("attempt").GetInt32(), second.GetProperty("outcome").GetString()));
        var third = second.GetProperty("nextAttemptAt").GetDateTimeOffset() - Factory.Clock.GetUtcNow();
        Assert.InRange(third, TimeSpan.FromMinutes(4.5), TimeSpan.FromMinutes(5.5)); // then 5 min

        receiver.Answer = _ => (204, null, "");
        Advance(TimeSpan.FromMinutes(6));
        await receiver.WaitForAsync(3);
        var delivered = (await DeliveriesAsync(programId, endpointId, 3))[0];
        Assert.Equal((3, "delivered", eventId), (delivered.GetProperty("attempt").GetInt32(), delivered.GetProperty("outcome").GetString(),
            delivered.GetProperty("eventId").GetString()));
        Assert.All(receiver.Received, r => Assert.Equal(eventId, r.Id)); // one message id across its retries
        Assert.False((await EndpointAsync(programId, endpointId)).TryGetProperty("failingSince", out var since) && since.ValueKind != JsonValueKind.Null);

        Advance(TimeSpan.FromHours(3));
        await QuietAsync();
        Assert.Equal(3, receiver.Received.Count); // settled: never sent again
    }

    [Fact]
    public void RetrySchedule_IsTheDocumentedOne_WithJitter_AndEndsAfterEightAttempts()
    {
        TimeSpan[] expected = [TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
            TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10)];
        for (var attempt = 1; attempt <= 7; attempt++)
        {
            Assert.Equal(expected[attempt - 1] * 0.9, RetrySchedule.After(attempt, null, 0));
            Assert.Equal(expected[attempt - 1] * 1.1, RetrySchedule.After(attempt, null, 1));
        }
        Assert.Null(RetrySchedule.After(8, null, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(90), RetrySchedule.After(1, TimeSpan.FromSeconds(90), 0.5));
        Assert.Null(RetrySchedule.After(8, TimeSpan.FromSeconds(90), 0.5));
    }

    [Fact]
    public async Task RetryAfter_OnA429_IsHonoured()
    {
        var programId = await CreateProgramAsync("{}");
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = r => receiver.Received.Count == 1 ? (429, 120, "slow down") : (200, null, "ok");
        var (endpointId, _) = await CreateEndpointAsync(programId, receiver.Url);
        await AppendEventAsync(programId, "perk.claimed", "alice");

        await receiver.WaitForAsync(1);
        var first = (await DeliveriesAsync(programId, endpointId, 1)).Single();
        Assert.Equal(RewardsApiFactory.DefaultNow.AddSeconds(120), first.GetProperty("nextAttemptAt").GetDateTimeOffset());
        Advance(TimeSpan.FromSeconds(10)); // past the usual 5 s, before the 120 s asked for
        await QuietAsync();
        Assert.Single(receiver.Received);

        Advance(TimeSpan.FromSeconds(111));
        await receiver.WaitForAsync(2);
        Assert.Equal("delivered", (await DeliveriesAsync(programId, endpointId, 2))[0].GetProperty("outcome").GetString());
    }

    [Fact]
    [Emits("webhook.disabled")]
    public async Task Gone410_DisablesTheEndpoint_AndTellsTheProgramWithAnEvent()
    {
        var programId = await CreateProgramAsync("{}");
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => (410, null, "unsubscribed");
        var (endpointId, _) = await CreateEndpointAsync(programId, receiver.Url);
        await AppendEventAsync(programId, "activity.awarded", "alice");

        await receiver.WaitForAsync(1);
        var endpoint = await WaitForAsync(() => EndpointAsync(programId, endpointId), e => !e.GetProperty("enabled").GetBoolean());
        Assert.Equal("gone", endpoint.GetProperty("disabledReason").GetString());
        var told = await DisabledEventsAsync(programId);
        Assert.Equal([(endpointId, "gone")], told);

        await AppendEventAsync(programId, "activity.awarded", "bob");
        Advance(TimeSpan.FromMinutes(10));
        await QuietAsync();
        Assert.Single(receiver.Received); // disabled: nothing more is sent
    }

    [Fact]
    [Emits("webhook.disabled")]
    public async Task EndpointFailingForFiveDays_IsDisabled_AndTheProgramTold()
    {
        var programId = await CreateProgramAsync("{}");
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => (502, null, "bad gateway");
        var (endpointId, _) = await CreateEndpointAsync(programId, receiver.Url);
        await AppendEventAsync(programId, "activity.awarded", "alice");
        await DeliveriesAsync(programId, endpointId, 1); // settled (logged) before the clock moves

        // A new event four days later fails too: not yet five days of failures.
        Advance(TimeSpan.FromDays(4));
        await AppendEventAsync(programId, "activity.awarded", "bob");
        await DeliveriesAsync(programId, endpointId, 3); // the first one's retry and the new one
        Assert.True((await EndpointAsync(programId, endpointId)).GetProperty("enabled").GetBoolean());
        Assert.Empty(await DisabledEventsAsync(programId)); // failing, not yet disabled: nothing told

        Advance(TimeSpan.FromDays(1));
        await AppendEventAsync(programId, "activity.awarded", "carol");
        var endpoint = await WaitForAsync(() => EndpointAsync(programId, endpointId), e => !e.GetProperty("enabled").GetBoolean());
        Assert.Equal("failing", endpoint.GetProperty("disabledReason").GetString());
        Assert.Equal(RewardsApiFactory.DefaultNow, endpoint.GetProperty("failingSince").GetDateTimeOffset());
        Assert.Equal([(endpointId, "failing")], await DisabledEventsAsync(programId));
    }

    [Fact]
    public async Task DeliveriesOfACrashedInstance_AreTakenOver_WhenTheirLeaseEnds()
    {
        var programId = await CreateProgramAsync("{}");
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpointId, _) = await CreateEndpointAsync(programId, receiver.Url);
        var db = Factory.Redis.GetDatabase();
        // This instance's dispatcher leaves the program alone while "another instance" claims its delivery and dies.
        await db.SetRemoveAsync(RedisKeys.WebhookPrograms, programId);
        var eventId = await AppendEventAsync(programId, "perk.granted", "alice");
        Assert.Single(await ClaimByHandAsync(programId, Factory.Clock.GetUtcNow().ToUnixTimeMilliseconds()));
        await db.SetAddAsync(RedisKeys.WebhookPrograms, programId);

        await QuietAsync();
        Assert.Empty(receiver.Received); // leased to the dead instance
        Advance(TimeSpan.FromSeconds(61));
        var delivered = await receiver.WaitForAsync(1);
        Assert.Equal(eventId, delivered.Single().Id);
        Assert.Equal(1, (await DeliveriesAsync(programId, endpointId, 1)).Single().GetProperty("attempt").GetInt32());
    }

    [Fact]
    public async Task ASettlementAfterItsLeaseWasTakenOver_OnlyLogs_AndTheNewClaimSettles()
    {
        var programId = await CreateProgramAsync("{}");
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpointId, _) = await CreateEndpointAsync(programId, receiver.Url);
        var db = Factory.Redis.GetDatabase();
        await db.SetRemoveAsync(RedisKeys.WebhookPrograms, programId); // two "other instances" below, by hand
        var eventId = await AppendEventAsync(programId, "perk.granted", "alice");
        var scripts = Factory.Services.GetRequiredService<RewardsScripts>();
        Task<RedisResult[]> Claim(long now) => ClaimByHandAsync(programId, now);
        async Task<string> Settle(RedisResult[] claim, long now)
        {
            var result = (RedisResult[])(await scripts.DeliveryDone.RunAsync(db, ScriptArgs<DeliveryDoneScript>.Build(new(
                RedisKeys.WebhookTasks(programId), RedisKeys.WebhookTaskState(programId), RedisKeys.WebhooksEnabled(programId),
                RedisKeys.Events(programId), RedisKeys.WebhookPrefix(programId), now, 1000, (long)TimeSpan.FromDays(5).TotalMilliseconds, 1000,
                [endpointId, (string)claim[0]!, (string)claim[7]!, "n", "delivered", 0, 1, 200, 3, "ok", "", eventId, "perk.granted"]))))!;
            return (string)result[0]!;
        }
        var start = Factory.Clock.GetUtcNow().ToUnixTimeMilliseconds();

        var first = (RedisResult[])Assert.Single(await Claim(start))!;
        Assert.Empty(await Claim(start + 1_000)); // leased: nobody else takes it
        var second = (RedisResult[])Assert.Single(await Claim(start + 61_000))!; // the lease ended: taken over
        Assert.NotEqual((string)first[7]!, (string)second[7]!);

        Assert.Equal("stale", await Settle(first, start + 62_000)); // the first instance outlived its lease: it only logs
        Assert.NotNull(await db.SortedSetScoreAsync(RedisKeys.WebhookTasks(programId), (string)second[0]!));
        Assert.Equal("delivered", await Settle(second, start + 62_000));
        Assert.Equal(0, await db.SortedSetLengthAsync(RedisKeys.WebhookTasks(programId)));
        Assert.Equal(2, (await DeliveriesAsync(programId, endpointId, 2)).Count); // both attempts are in the log
    }

    [Fact]
    public async Task Redirects_AreNotFollowed()
    {
        var programId = await CreateProgramAsync("{}");
        await using var target = await WebhookReceiver.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => (307, null, "");
        receiver.RedirectTo = target.Url;
        var (endpointId, _) = await CreateEndpointAsync(programId, receiver.Url);
        await AppendEventAsync(programId, "perk.granted", "alice");

        var attempt = (await DeliveriesAsync(programId, endpointId, 1)).Single();
        Assert.Equal((307, "retry"), (attempt.GetProperty("status").GetInt32(), attempt.GetProperty("outcome").GetString()));
        Assert.Empty(target.Received);
    }

    /// <summary>One poll as another instance would run it (60 s lease, 100 slots): the tasks it claimed.</summary>
    private async Task<RedisResult[]> ClaimByHandAsync(string programId, long now)
    {
        var scripts = Factory.Services.GetRequiredService<RewardsScripts>();
        var result = (RedisResult[])(await scripts.PollWebhooks.RunAsync(Factory.Redis.GetDatabase(), ScriptArgs<PollWebhooksScript>.Build(new(
            RedisKeys.Events(programId), RedisKeys.WebhooksEnabled(programId), RedisKeys.WebhookTasks(programId),
            RedisKeys.WebhookTaskState(programId), RedisKeys.WebhookPrefix(programId), WebhookStore.Group, WebhookStore.Group, 100,
            now, 60_000, 100))))!;
        return (RedisResult[])result[2]!;
    }

    private async Task<List<(string, string)>> DisabledEventsAsync(string programId)
    {
        var entries = await Factory.Redis.GetDatabase().StreamRangeAsync(RedisKeys.Events(programId));
        return entries.Where(e => e["type"] == "webhook.disabled")
            .Select(e => JsonDocument.Parse(e["data"].ToString()).RootElement)
            .Select(d => (d.GetProperty("endpointId").GetString()!, d.GetProperty("reason").GetString()!)).ToList();
    }

    private static async Task<JsonElement> WaitForAsync(Func<Task<JsonElement>> read, Func<JsonElement, bool> until, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var value = await read();
            if (until(value))
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, $"still {value} after {timeoutMs} ms");
            await Task.Delay(20);
        }
    }
}
