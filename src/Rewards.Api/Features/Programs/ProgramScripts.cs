using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Programs;

/// <summary>
/// The keys and arguments of save-program.lua (Mode 'create' or 'update'; an update saves only over
/// <paramref name="ExpectedVersion"/>, the version its change was applied to).
/// </summary>
[LuaScript("save-program")]
public sealed record SaveProgramScript(RedisKey ProgramKey, string Mode, string Json, long Now, long ExpectedVersion) : IScriptArgs;
