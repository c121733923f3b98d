using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Programs;

/// <summary>The keys and arguments of save-program.lua (Mode 'create' or 'update').</summary>
[LuaScript("save-program")]
public sealed record SaveProgramScript(RedisKey ProgramKey, string Mode, string Json, long Now) : IScriptArgs;
