using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Leaderboards;

/// <summary>The keys and arguments of leaderboard-read.lua (Mode 'top' or 'around'; PeriodId '' for all-time).</summary>
[LuaScript("leaderboard-read")]
public sealed record ReadLeaderboardScript(
    RedisKey Key, string Mode, string Prefix, bool AllTime, long OffsetOrNeighbours, long Limit, string MemberId, string Board, string PeriodId) : IScriptArgs;

/// <summary>The keys and arguments of leaderboard-archive.lua (writes the archive once, with its leaderboard.period_closed event).</summary>
[LuaScript("leaderboard-archive")]
public sealed record WriteLeaderboardArchiveScript(
    RedisKey ArchiveKey, RedisKey EventStream, string Json, string Board, string Window, string Period, long Total, long Now,
    long EventsMaxLength) : IScriptArgs;

/// <summary>The keys and arguments of leaderboard-archive-read.lua.</summary>
[LuaScript("leaderboard-archive-read")]
public sealed record ReadLeaderboardArchiveScript(RedisKey ArchiveKey, string Prefix) : IScriptArgs;
