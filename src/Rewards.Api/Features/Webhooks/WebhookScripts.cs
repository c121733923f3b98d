using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Webhooks;

[LuaScript("webhook-create")]
public sealed record CreateWebhookScript(RedisKey Index, RedisKey EnabledSet, RedisKey Endpoint, RedisKey Events, string EndpointId, string Url,
    string Types, string Description, bool Enabled, string Secret, long Now, long MaxEndpoints, string Group) : IScriptArgs;

[LuaScript("webhook-update")]
public sealed record UpdateWebhookScript(RedisKey EnabledSet, RedisKey Endpoint, string EndpointId, string Url, bool TypesGiven, string Types,
    bool DescriptionGiven, string Description, string Enabled, string NewSecret, long OldSecretUntil, long Now) : IScriptArgs;

[LuaScript("webhook-delete")]
public sealed record DeleteWebhookScript(RedisKey Index, RedisKey EnabledSet, RedisKey Endpoint, RedisKey Log, RedisKey Failed, string EndpointId) : IScriptArgs;

[LuaScript("webhook-poll")]
public sealed record PollWebhooksScript(RedisKey Events, RedisKey EnabledSet, RedisKey Tasks, RedisKey State, string Prefix, string Group,
    string Consumer, int ReadCount, long Now, long LeaseMs, int ClaimCount) : IScriptArgs;

/// <summary>The keys and arguments of webhook-done.lua: Attempts holds 13 values per settled attempt (see the script).</summary>
[LuaScript("webhook-done")]
public sealed record DeliveryDoneScript(RedisKey Tasks, RedisKey State, RedisKey EnabledSet, RedisKey EventStream, string Prefix, long Now,
    int LogMax, long DisableAfterMs, long EventsMaxLength, RedisValue[] Attempts) : IScriptArgs;

[LuaScript("webhook-replay")]
public sealed record ReplayWebhookScript(RedisKey Tasks, RedisKey State, RedisKey Endpoint, RedisKey Failed, RedisKey Events, string EndpointId,
    string EventId, long Since, long Now, int MaxCount) : IScriptArgs;
