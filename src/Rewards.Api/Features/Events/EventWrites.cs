using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Events;

/// <summary>
/// The keys and arguments of the Lua module events.lua (spliced into the award and moderation scripts' own): the program's
/// event stream and the length it is trimmed to (0: events off). Scripts naming their keys by position take the same two
/// as EventStream and EventsMaxLength.
/// </summary>
[LuaScript("events")]
public sealed record EventWrites(RedisKey Stream, long MaxLength) : IScriptArgs
{
    public static EventWrites For(string programId, EventsOptions options) => new(RedisKeys.Events(programId), options.ScriptMaxLength);
}
