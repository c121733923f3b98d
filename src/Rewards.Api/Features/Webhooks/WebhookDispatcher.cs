using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Rewards.Api.Features.Events;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Webhooks;

/// <summary>
/// When a failed delivery is tried again: about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after the attempts before it
/// (±10 % jitter, so that the deliveries of one outage do not come back in one burst); a 429 or 503 with Retry-After is tried
/// again when the receiver asked instead (at most a day later). After the eighth attempt the delivery has failed for good.
/// </summary>
public static class RetrySchedule
{
    public static readonly TimeSpan[] Delays =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5),
        TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    public static int MaxAttempts => Delays.Length + 1;

    /// <summary>The delay before the next attempt after failed attempt number <paramref name="attempt"/> (1-based), or null when none is left.</summary>
    public static TimeSpan? After(int attempt, TimeSpan? retryAfter, double jitter01)
    {
        if (attempt >= MaxAttempts)
        {
            return null;
        }
        if (retryAfter is { } asked && asked > TimeSpan.Zero)
        {
            return asked > TimeSpan.FromDays(1) ? TimeSpan.FromDays(1) : asked;
        }
        var delay = Delays[attempt - 1];
        return delay * (0.9 + 0.2 * jitter01);
    }
}

/// <summary>What one delivery attempt gave.</summary>
public sealed record DeliveryAttempt(int? Status, long LatencyMs, string Response, string? Error, TimeSpan? RetryAfter)
{
    public bool Delivered => Status is >= 200 and <= 299;
}

/// <summary>
/// Delivers webhooks, at least once, on every instance together. Each poll of a program with enabled endpoints is one script
/// run (webhook-poll.lua): new events fan out to delivery tasks and due tasks are claimed under a lease; each attempt is settled
/// by one run of webhook-done.lua (log entry, retry, failure, disabling). A crashed instance's claimed tasks come due again
/// when their lease ends and another instance takes them. Schedules use the injected clock; the signature's timestamp is
/// real time, as receivers check it against theirs.
/// </summary>
public sealed class WebhookDispatcher(
    IConnectionMultiplexer redis, RewardsScripts scripts, TimeProvider clock, IOptions<WebhooksOptions> options, WebhookAddressPolicy policy,
    WebhookStore store, IOptions<EventsOptions> events, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private const int ReadCount = 500;
    private const int MaxClaim = 500;

    /// <summary>The pause after a poll that found only a few deliveries (the batching window; deliveries wait this long at most more).</summary>
    private static readonly TimeSpan TrickleWait = TimeSpan.FromMilliseconds(25);
    public const int ResponseExcerptBytes = 1024;

    private readonly WebhooksOptions _options = options.Value;
    private readonly HttpClient _http = new(policy.CreateHandler(TimeSpan.FromSeconds(5)), disposeHandler: true)
    {
        Timeout = Timeout.InfiniteTimeSpan, // each attempt has its own (options.Timeout)
        DefaultRequestHeaders = { { "User-Agent", "Rewards-Webhooks/1" } },
    };
    private SemaphoreSlim? _slots;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settler = Task.Run(SettleLoopAsync, CancellationToken.None);
        if (!_options.Dispatcher)
        {
            // Test sends are settled here too.
            await Task.Delay(Timeout.Infinite, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            _settlements.Writer.TryComplete();
            await settler;
            return;
        }
        _slots = new SemaphoreSlim(_options.MaxConcurrency);
        var inFlight = new HashSet<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                if (_slots.CurrentCount == 0)
                {
                    // Every slot busy: poll again as soon as one delivery ends, not after a whole poll interval.
                    await _slots.WaitAsync(stoppingToken);
                    _slots.Release();
                }
                var programs = await redis.GetDatabase().SetMembersAsync(RedisKeys.WebhookPrograms);
                foreach (var program in programs)
                {
                    claimed += await PollAsync(program.ToString(), inFlight, stoppingToken);
                }
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                logger.LogWarning(e, "Webhook poll failed; trying again");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // A bug must not stop delivery on this instance (nor the host): log it and poll again after a pause.
                logger.LogError(e, "Webhook poll failed unexpectedly; trying again");
            }
            inFlight.RemoveWhere(t => t.IsCompleted);
            // Nothing due: wait a poll interval. A trickle (a few deliveries per poll): wait a little too, so that polls and
            // settlements each carry a batch rather than one delivery apiece (a busy loop of tiny polls costs the awards CPU).
            var pause = claimed == 0 ? _options.PollInterval : claimed < MaxClaim / 10 ? TrickleWait : TimeSpan.Zero;
            if (pause > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(pause, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        // Deliveries under way finish (or time out) and are settled; a task not settled comes due again when its lease ends.
        await Task.WhenAll(inFlight);
        _settlements.Writer.TryComplete();
        await settler;
    }

    private async Task<int> PollAsync(string programId, HashSet<Task> inFlight, CancellationToken stoppingToken)
    {
        var free = Math.Min(_slots!.CurrentCount, MaxClaim);
        var result = (RedisResult[])(await scripts.PollWebhooks.RunAsync(redis.GetDatabase(), ScriptArgs<PollWebhooksScript>.Build(new(
            RedisKeys.Events(programId), RedisKeys.WebhooksEnabled(programId), RedisKeys.WebhookTasks(programId),
            RedisKeys.WebhookTaskState(programId), RedisKeys.WebhookPrefix(programId), WebhookStore.Group, WebhookStore.Group, ReadCount,
            Now, (long)_options.Lease.TotalMilliseconds, free))))!;
        var claimed = (RedisResult[])result[2]!;
        foreach (var row in claimed)
        {
            var r = (RedisResult[])row!;
            // r[7]: the claim's token, its lease end (webhook-done.lua settles the task only while its score is still that).
            var task = new ClaimedTask(programId, (string)r[0]!, (string)r[7]!, (int)r[1], (string)r[2]!,
                WebhookSigner.ValidSecrets((string)r[3]!, (string)r[4]!, (long)r[5], Now), (RedisResult[])r[6]!);
            await _slots.WaitAsync(stoppingToken);
            inFlight.Add(Task.Run(async () =>
            {
                try
                {
                    await DeliverAsync(task);
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "Webhook delivery {Task} of program {Program} not settled; it comes due again when its lease ends", task.Task, programId);
                }
                finally
                {
                    _slots.Release();
                }
            }, CancellationToken.None));
        }
        return claimed.Length + (int)(long)result[0];
    }

    private long Now => ProgramTime.ToUnixMs(clock.GetUtcNow());

    private sealed record ClaimedTask(string ProgramId, string Task, string Token, int AttemptsBefore, string Url, string[] Secrets, RedisResult[] Fields)
    {
        public string EndpointId => Task.Split('|')[0];

        public string EventId => Task.Split('|')[1];

        public string Kind => Task.Split('|')[2];

        public string Field(string name)
        {
            for (var i = 0; i + 1 < Fields.Length; i += 2)
            {
                if ((string)Fields[i]! == name)
                {
                    return (string)Fields[i + 1]!;
                }
            }
            return "";
        }
    }

    private async Task DeliverAsync(ClaimedTask task)
    {
        var body = Body(ProgramEvent.FromEntry(task.ProgramId, task.EventId, name => task.Field(name) is { Length: > 0 } v ? v : null));
        var attempt = await SendAsync(task.Url, task.Secrets, task.EventId, body);
        var number = task.AttemptsBefore + 1;
        var outcome = "delivered";
        long nextDue = 0;
        if (!attempt.Delivered)
        {
            if (attempt.Status == (int)HttpStatusCode.Gone)
            {
                outcome = "gone";
            }
            else if (RetrySchedule.After(number, attempt.RetryAfter, Random.Shared.NextDouble()) is { } delay)
            {
                outcome = "retry";
                nextDue = Now + (long)delay.TotalMilliseconds;
            }
            else
            {
                outcome = "failed";
            }
        }
        await SettleAsync(task.ProgramId, task.EndpointId, task.EventId, task.Field("type"), task.Task, task.Token, task.Kind, outcome,
            nextDue, number, attempt);
    }

    /// <summary>One finished attempt waiting for the settler: its script arguments, and the task that learns the outcome.</summary>
    private sealed record Settlement(string ProgramId, RedisValue[] Values, TaskCompletionSource<string> Done);

    private readonly System.Threading.Channels.Channel<Settlement> _settlements =
        System.Threading.Channels.Channel.CreateUnbounded<Settlement>(new() { SingleReader = true });

    /// <summary>Settlements one script run takes at most (13 arguments each).</summary>
    private const int MaxSettleBatch = 200;

    /// <summary>Queues an attempt's settlement; the settler runs what finished meanwhile in one script run per program.</summary>
    private Task<string> SettleAsync(string programId, string endpointId, string eventId, string eventType, string task, string token, string kind,
        string outcome, long nextDue, int number, DeliveryAttempt attempt)
    {
        var settlement = new Settlement(programId,
        [
            endpointId, task, token, kind, outcome, nextDue, number, attempt.Status ?? 0, attempt.LatencyMs, attempt.Response,
            attempt.Error ?? "", eventId, eventType,
        ], new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_settlements.Writer.TryWrite(settlement))
        {
            settlement.Done.SetException(new InvalidOperationException("The webhook dispatcher has stopped."));
        }
        return settlement.Done.Task;
    }

    /// <summary>
    /// Runs the queued settlements: whatever finished while the previous run was under way, grouped by program, one
    /// webhook-done.lua run per group (group commit: one round trip for many deliveries).
    /// </summary>
    private async Task SettleLoopAsync()
    {
        var batch = new List<Settlement>();
        while (await _settlements.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxSettleBatch * 4 && _settlements.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }
            foreach (var group in batch.GroupBy(b => b.ProgramId))
            {
                foreach (var chunk in group.Chunk(MaxSettleBatch))
                {
                    await RunSettlementsAsync(group.Key, chunk);
                }
            }
            batch.Clear();
        }
    }

    private async Task RunSettlementsAsync(string programId, Settlement[] chunk)
    {
        try
        {
            var results = (RedisResult[])(await scripts.DeliveryDone.RunAsync(redis.GetDatabase(), ScriptArgs<DeliveryDoneScript>.Build(new(
                RedisKeys.WebhookTasks(programId), RedisKeys.WebhookTaskState(programId), RedisKeys.WebhooksEnabled(programId),
                RedisKeys.Events(programId), RedisKeys.WebhookPrefix(programId), Now, _options.DeliveryLogLength,
                (long)_options.DisableAfter.TotalMilliseconds, events.Value.ScriptMaxLength, [.. chunk.SelectMany(c => c.Values)]))))!;
            for (var i = 0; i < chunk.Length; i++)
            {
                chunk[i].Done.SetResult((string)results[i]!);
            }
        }
        catch (Exception e)
        {
            foreach (var settlement in chunk)
            {
                settlement.Done.TrySetException(e);
            }
        }
    }

    /// <summary>
    /// A test send: a 'webhook.test' message signed and sent now, once, whatever the endpoint's event types and even when it is
    /// disabled; logged, never retried, never counted toward disabling. Null when there is no such endpoint.
    /// </summary>
    public async Task<(string MessageId, DeliveryAttempt Attempt)?> TestSendAsync(string programId, string endpointId)
    {
        if (await store.SigningAsync(programId, endpointId) is not var (url, secrets))
        {
            return null;
        }
        var messageId = "test_" + Infrastructure.Ids.NewId();
        using var data = JsonDocument.Parse(JsonSerializer.Serialize(new { endpointId, message = "A test delivery from Rewards." }));
        var body = Body(new ProgramEvent(messageId, "webhook.test", programId, null, null, clock.GetUtcNow(), data.RootElement.Clone()));
        var attempt = await SendAsync(url, secrets, messageId, body);
        await SettleAsync(programId, endpointId, messageId, "webhook.test", "", "", "t", attempt.Delivered ? "delivered" : "failed", 0, 1, attempt);
        return (messageId, attempt);
    }

    /// <summary>The payload: the event's envelope, serialized as the events API sends it (polling, live streams).</summary>
    public byte[] Body(ProgramEvent evt) => JsonSerializer.SerializeToUtf8Bytes(evt, json.Value.SerializerOptions);

    /// <summary>One signed POST: its status, latency, the first 1 KB of the answer, or why it failed.</summary>
    public async Task<DeliveryAttempt> SendAsync(string url, IEnumerable<string> secrets, string messageId, byte[] body)
    {
        var timestamp = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("webhook-id", messageId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSigner.Header(secrets, messageId, timestamp, body));
        using var timeout = new CancellationTokenSource(_options.Timeout);
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var excerpt = new byte[ResponseExcerptBytes];
            var read = 0;
            await using (var stream = await response.Content.ReadAsStreamAsync(timeout.Token))
            {
                read = await stream.ReadAtLeastAsync(excerpt, ResponseExcerptBytes, throwOnEndOfStream: false, timeout.Token);
            }
            TimeSpan? retryAfter = null;
            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is { } ra)
            {
                retryAfter = ra.Delta ?? (ra.Date is { } date ? date - TimeProvider.System.GetUtcNow() : null);
            }
            return new DeliveryAttempt((int)response.StatusCode, watch.ElapsedMilliseconds, Encoding.UTF8.GetString(excerpt, 0, read), null, retryAfter);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new DeliveryAttempt(null, watch.ElapsedMilliseconds, "", $"no answer within {_options.Timeout.TotalSeconds:0.#} s", null);
        }
        catch (HttpRequestException e)
        {
            return new DeliveryAttempt(null, watch.ElapsedMilliseconds, "", Excerpt(e.InnerException?.Message is { } inner && !e.Message.Contains(inner) ? $"{e.Message} ({inner})" : e.Message), null);
        }
    }

    private static string Excerpt(string message) => message.Length <= 300 ? message : message[..300];

    public override void Dispose()
    {
        _http.Dispose();
        _slots?.Dispose();
        base.Dispose();
    }
}
