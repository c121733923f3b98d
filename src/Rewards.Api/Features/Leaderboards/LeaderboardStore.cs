using System.Globalization;
using System.Text.Json;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Http;
using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Leaderboards;

public sealed record LeaderboardEntry(long Rank, string MemberId, string? DisplayName, long Score);

public sealed record LeaderboardSlice(long Total, long MemberRank, IReadOnlyList<LeaderboardEntry> Entries);

/// <summary>
/// The final standings of a closed period, written once when the period ends. Stored without display names; reads join the
/// current ones and leave out erased members (their archived rank stays, their entry is absent).
/// </summary>
public sealed record LeaderboardArchive(string Board, WindowKind Window, string Period, DateTimeOffset WindowStart, DateTimeOffset WindowEnd,
    DateTimeOffset ArchivedAt, long Total, IReadOnlyList<LeaderboardEntry> Entries);

public sealed class LeaderboardStore(IConnectionMultiplexer redis, RewardsScripts scripts, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<Events.EventsOptions> events)
{
    public const int ArchiveSize = 100;

    private static readonly JsonSerializerOptions Json = HttpSetup.StoredJson;

    public Task<LeaderboardSlice> TopAsync(string programId, string board, LeaderboardWindow window, long offset, int limit) =>
        ReadAsync(programId, window, key => new(key, "top", RedisKeys.MemberPrefix(programId), window.Kind == WindowKind.All, offset, limit, "", board, window.PeriodId ?? ""), board);

    /// <summary>The member's standing with up to <paramref name="around"/> neighbours each side; null without an entry.</summary>
    public async Task<LeaderboardSlice?> AroundAsync(string programId, string board, LeaderboardWindow window, string memberId, int around)
    {
        var slice = await ReadAsync(programId, window,
            key => new(key, "around", RedisKeys.MemberPrefix(programId), window.Kind == WindowKind.All, around, 0, memberId, board, window.PeriodId ?? ""), board);
        return slice.MemberRank < 0 ? null : slice;
    }

    private async Task<LeaderboardSlice> ReadAsync(string programId, LeaderboardWindow window, Func<RedisKey, ReadLeaderboardScript> call, string board)
    {
        var key = RedisKeys.Leaderboard(programId, board, LeaderboardWindow.Name(window.Kind), window.PeriodId);
        var r = (RedisResult[])(await scripts.ReadLeaderboard.RunAsync(redis.GetDatabase(), ScriptArgs<ReadLeaderboardScript>.Build(call(key))))!;
        var (total, first, memberRank) = ((long)r[0], (long)r[1], (long)r[2]);
        var entries = new List<LeaderboardEntry>((r.Length - 3) / 3);
        for (var i = 3; i + 2 < r.Length; i += 3)
        {
            var score = double.Parse((string)r[i + 1]!, CultureInfo.InvariantCulture);
            var points = window.Kind == WindowKind.All ? (long)score : ScoreEncoding.WindowPoints(score);
            var name = (string?)r[i + 2];
            entries.Add(new LeaderboardEntry(first + entries.Count + 1, (string)r[i]!, string.IsNullOrEmpty(name) ? null : name, points));
        }
        return new LeaderboardSlice(total, memberRank < 0 ? -1 : memberRank + 1, entries);
    }

    /// <summary>
    /// Writes the archive of a closed period unless it exists: re-running changes nothing. Display names are not archived
    /// (personal data the member may have erased later); <see cref="FindArchiveAsync"/> joins the current ones. The archive
    /// and its leaderboard.period_closed event are written in one script run (leaderboard-archive.lua).
    /// </summary>
    public async Task<bool> ArchiveAsync(ProgramSnapshot program, string board, LeaderboardWindow window)
    {
        var db = redis.GetDatabase();
        var key = RedisKeys.LeaderboardArchive(program.Id, board, window.PeriodId!);
        if (await db.KeyExistsAsync(key))
        {
            return false;
        }
        var top = await TopAsync(program.Id, board, window, 0, ArchiveSize);
        var archive = new LeaderboardArchive(board, window.Kind, window.PeriodId!, window.Start!.Value, window.End!.Value,
            clock.GetUtcNow(), top.Total, [.. top.Entries.Select(e => e with { DisplayName = null })]);
        var now = clock.GetUtcNow();
        return (long)(await scripts.WriteLeaderboardArchive.RunAsync(db, ScriptArgs<WriteLeaderboardArchiveScript>.Build(new(
            key, RedisKeys.Events(program.Id), JsonSerializer.Serialize(archive, Json), board, LeaderboardWindow.Name(window.Kind),
            window.PeriodId!, top.Total, Infrastructure.Time.ProgramTime.ToUnixMs(now), events.Value.ScriptMaxLength)))) == 1;
    }

    /// <summary>
    /// The archive with its members' current display names, erased members left out (the others keep their archived
    /// ranks); one round trip.
    /// </summary>
    public async Task<LeaderboardArchive?> FindArchiveAsync(string programId, string board, string periodId)
    {
        var r = (RedisResult[])(await scripts.ReadLeaderboardArchive.RunAsync(redis.GetDatabase(), ScriptArgs<ReadLeaderboardArchiveScript>.Build(
            new(RedisKeys.LeaderboardArchive(programId, board, periodId), RedisKeys.MemberPrefix(programId)))))!;
        if (r.Length == 0)
        {
            return null;
        }
        var archive = JsonSerializer.Deserialize<LeaderboardArchive>((string)r[0]!, Json)!;
        var names = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 1; i + 1 < r.Length; i += 2)
        {
            var name = (string?)r[i + 1];
            names[(string)r[i]!] = string.IsNullOrEmpty(name) ? null : name;
        }
        return archive with
        {
            Entries = [.. archive.Entries.Where(e => names.ContainsKey(e.MemberId)).Select(e => e with { DisplayName = names[e.MemberId] })],
        };
    }
}
