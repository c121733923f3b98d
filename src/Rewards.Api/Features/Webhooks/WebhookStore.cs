using System.Globalization;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Webhooks;

/// <summary>A webhook endpoint as the API shows it (never its secrets).</summary>
public sealed record WebhookEndpoint(
    string Id, string Url, IReadOnlyList<string> EventTypes, string? Description, bool Enabled, string? DisabledReason,
    DateTimeOffset? DisabledAt, DateTimeOffset? FailingSince, DateTimeOffset? PreviousSecretValidUntil, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>One attempt of the delivery log.</summary>
public sealed record WebhookDelivery(
    string Id, string EventId, string EventType, string Kind, int Attempt, DateTimeOffset At, long LatencyMs, int? Status, string Outcome,
    DateTimeOffset? NextAttemptAt, string? Error, string? Response);

/// <summary>The Redis side of webhooks: endpoints, the delivery log, replays (the dispatcher's scripts are in <see cref="WebhookDispatcher"/>).</summary>
public sealed class WebhookStore(IConnectionMultiplexer redis, RewardsScripts scripts, TimeProvider clock)
{
    /// <summary>The program stream's consumer group the dispatchers read through.</summary>
    public const string Group = "webhooks";

    /// <summary>How long a rotated-out secret keeps signing deliveries.</summary>
    public static readonly TimeSpan PreviousSecretLifetime = TimeSpan.FromHours(24);

    private long Now => ProgramTime.ToUnixMs(clock.GetUtcNow());

    /// <summary>Creates an endpoint (null when the program holds <see cref="WebhookLimits.MaxEndpoints"/> already).</summary>
    public async Task<WebhookEndpoint?> CreateAsync(string programId, string url, IReadOnlyList<string> types, string? description, bool enabled,
        string secret)
    {
        var id = Infrastructure.Ids.NewId();
        var result = (RedisResult[])(await scripts.CreateWebhook.RunAsync(redis.GetDatabase(), ScriptArgs<CreateWebhookScript>.Build(new(
            RedisKeys.WebhookIndex(programId), RedisKeys.WebhooksEnabled(programId), RedisKeys.Webhook(programId, id),
            RedisKeys.Events(programId), id, url, string.Join(' ', types), description ?? "", enabled, secret, Now, WebhookLimits.MaxEndpoints,
            Group))))!;
        if ((string)result[0]! != "ok")
        {
            return null;
        }
        await SyncProgramIndexAsync(programId, (long)result[1]);
        return await FindAsync(programId, id);
    }

    /// <summary>Applies a change (null: unchanged); false when there is no such endpoint.</summary>
    public async Task<bool> UpdateAsync(string programId, string id, string? url, IReadOnlyList<string>? types, string? description, bool? enabled,
        string? newSecret = null)
    {
        var now = Now;
        var result = (RedisResult[])(await scripts.UpdateWebhook.RunAsync(redis.GetDatabase(), ScriptArgs<UpdateWebhookScript>.Build(new(
            RedisKeys.WebhooksEnabled(programId), RedisKeys.Webhook(programId, id), id, url ?? "", types is not null,
            string.Join(' ', types ?? []), description is not null, description ?? "", enabled switch { true => "1", false => "0", null => "" },
            newSecret ?? "", now + (long)PreviousSecretLifetime.TotalMilliseconds, now))))!;
        return (string)result[0]! == "ok";
    }

    public async Task<bool> DeleteAsync(string programId, string id)
    {
        var result = (RedisResult[])(await scripts.DeleteWebhook.RunAsync(redis.GetDatabase(), ScriptArgs<DeleteWebhookScript>.Build(new(
            RedisKeys.WebhookIndex(programId), RedisKeys.WebhooksEnabled(programId), RedisKeys.Webhook(programId, id),
            RedisKeys.WebhookLog(programId, id), RedisKeys.WebhookFailed(programId, id), id))))!;
        if ((string)result[0]! != "ok")
        {
            return false;
        }
        await SyncProgramIndexAsync(programId, (long)result[1]);
        return true;
    }

    /// <summary>
    /// Keeps the platform-wide set of programs with endpoints (another slot than the program's keys, so not in the script run)
    /// in step. A removal re-reads the count afterwards: an endpoint created meanwhile puts the program back, so a concurrent
    /// create and delete cannot leave a program with endpoints out of the set. Programs whose endpoints are all disabled stay
    /// polled: their queued deliveries become failed ones (replayable), and a poll finding nothing to do is one cheap run.
    /// </summary>
    public async Task SyncProgramIndexAsync(string programId, long endpoints)
    {
        var db = redis.GetDatabase();
        if (endpoints > 0)
        {
            await db.SetAddAsync(RedisKeys.WebhookPrograms, programId);
            return;
        }
        await db.SetRemoveAsync(RedisKeys.WebhookPrograms, programId);
        if (await db.SortedSetLengthAsync(RedisKeys.WebhookIndex(programId)) > 0)
        {
            await db.SetAddAsync(RedisKeys.WebhookPrograms, programId);
        }
    }

    public async Task<WebhookEndpoint?> FindAsync(string programId, string id) =>
        ToEndpoint(id, await redis.GetDatabase().HashGetAllAsync(RedisKeys.Webhook(programId, id)));

    /// <summary>The endpoint's url and signing secrets (current first, then the previous one while it is valid).</summary>
    public async Task<(string Url, string[] Secrets)?> SigningAsync(string programId, string id)
    {
        var v = await redis.GetDatabase().HashGetAsync(RedisKeys.Webhook(programId, id), ["url", "secret", "oldSecret", "oldSecretUntil"]);
        return v[0].IsNull ? null : (v[0]!, WebhookSigner.ValidSecrets(v[1]!, v[2].ToString(), (long)v[3], Now));
    }

    /// <summary>One page of the program's endpoints, oldest first, and how many there are.</summary>
    public async Task<(IReadOnlyList<WebhookEndpoint> Endpoints, long Total)> ListAsync(string programId, int offset, int limit)
    {
        var db = redis.GetDatabase();
        var batch = db.CreateBatch();
        var ids = batch.SortedSetRangeByRankAsync(RedisKeys.WebhookIndex(programId), offset, offset + limit - 1);
        var total = batch.SortedSetLengthAsync(RedisKeys.WebhookIndex(programId));
        batch.Execute();
        var records = await Task.WhenAll((await ids).Select(id => db.HashGetAllAsync(RedisKeys.Webhook(programId, id.ToString()))));
        return ((await ids).Zip(records).Select(r => ToEndpoint(r.First.ToString(), r.Second)).OfType<WebhookEndpoint>().ToList(), await total);
    }

    /// <summary>The newest attempts first, before the cursor (a log entry id) when given; the next cursor when there are more.</summary>
    public async Task<(IReadOnlyList<WebhookDelivery> Deliveries, string? NextCursor)> DeliveriesAsync(string programId, string id, string? cursor,
        int limit)
    {
        var entries = await redis.GetDatabase().StreamRangeAsync(RedisKeys.WebhookLog(programId, id),
            minId: "-", maxId: cursor is null ? "+" : "(" + cursor, count: limit + 1, messageOrder: Order.Descending);
        var page = entries.Take(limit).Select(ToDelivery).ToList();
        return (page, entries.Length > limit ? page[^1].Id : null);
    }

    public enum ReplayOutcome { Queued, NoEndpoint, Disabled, NoEvent }

    /// <summary>Queues the replay of one event (any still in the stream) or of every failed delivery since a time.</summary>
    public async Task<(ReplayOutcome Outcome, long Queued, long Failed)> ReplayAsync(string programId, string id, string? eventId,
        DateTimeOffset? since)
    {
        var result = (RedisResult[])(await scripts.ReplayWebhook.RunAsync(redis.GetDatabase(), ScriptArgs<ReplayWebhookScript>.Build(new(
            RedisKeys.WebhookTasks(programId), RedisKeys.WebhookTaskState(programId), RedisKeys.Webhook(programId, id),
            RedisKeys.WebhookFailed(programId, id), RedisKeys.Events(programId), id, eventId ?? "",
            since is null ? 0 : ProgramTime.ToUnixMs(since.Value), Now, WebhookLimits.MaxReplay))))!;
        return (string)result[0]! switch
        {
            "ok" => (ReplayOutcome.Queued, (long)result[1], (long)result[2]),
            "missing" => (ReplayOutcome.NoEndpoint, 0, 0),
            "disabled" => (ReplayOutcome.Disabled, 0, 0),
            _ => (ReplayOutcome.NoEvent, 0, 0),
        };
    }

    private static WebhookEndpoint? ToEndpoint(string id, HashEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return null;
        }
        var f = entries.ToDictionary(e => e.Name.ToString(), e => e.Value);
        DateTimeOffset? At(string field) => f.TryGetValue(field, out var v) && (long)v > 0 ? ProgramTime.FromUnixMs((long)v) : null;
        var description = f.GetValueOrDefault("description").ToString();
        var reason = f.GetValueOrDefault("disabledReason").ToString();
        return new WebhookEndpoint(id, f["url"]!, f["types"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries),
            description.Length == 0 ? null : description, f["enabled"] == "1", reason.Length == 0 ? null : reason, At("disabledAt"),
            At("failingSince"), At("oldSecretUntil"),
            ProgramTime.FromUnixMs((long)f["createdAt"]), ProgramTime.FromUnixMs((long)f["updatedAt"]));
    }

    private static WebhookDelivery ToDelivery(StreamEntry e)
    {
        string S(string name) => e[name].ToString();
        long L(string name) => long.TryParse(S(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
        var status = (int)L("status");
        var next = L("next");
        return new WebhookDelivery(e.Id!, S("event"), S("type"), S("kind") switch { "r" => "replay", "t" => "test", _ => "event" }, (int)L("attempt"),
            ProgramTime.FromUnixMs(L("at")), L("latency"), status == 0 ? null : status, S("outcome"),
            S("outcome") == "retry" && next > 0 ? ProgramTime.FromUnixMs(next) : null, S("error") is { Length: > 0 } err ? err : null,
            S("response") is { Length: > 0 } response ? response : null);
    }
}
