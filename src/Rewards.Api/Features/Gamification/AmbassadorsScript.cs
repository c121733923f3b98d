using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Gamification;

/// <summary>The keys and arguments of ambassadors.lua: a scratch key, then the ambassador points of each day of the window.</summary>
[LuaScript("ambassadors")]
public sealed record AmbassadorsScript(RedisKey Scratch, long Want, string Prefix, RedisKey[] Days) : IScriptArgs;
