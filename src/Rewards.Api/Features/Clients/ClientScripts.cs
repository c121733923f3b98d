using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Clients;

/// <summary>The keys and arguments of client-reserve.lua (Revoked: the program's revoked clients, a subset of Clients).</summary>
[LuaScript("client-reserve")]
public sealed record ReserveClientScript(RedisKey Clients, RedisKey Revoked, string ClientId, long MaxActive) : IScriptArgs;
