using Hangfire;
using Hangfire.Server;
using Rewards.Api.Features.Leaderboards;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Perks;

/// <summary>
/// One grant run of a perk. The run snapshots its audience into a list, then grants it in chunks; each chunk and the
/// run's cursor move together in one script run. A run's id is its Hangfire job id, shared by retries and duplicate
/// executions of that job, so a run that crashed or runs twice finishes the rest and grants nobody twice.
/// </summary>
public sealed partial class PerkGrantJob(IConnectionMultiplexer redis, RewardsScripts scripts, ProgramStore programs, PerkStore perks,
    LeaderboardStore leaderboards, TimeProvider clock, Microsoft.Extensions.Options.IOptions<Insights.InsightsOptions> insights,
    Microsoft.Extensions.Options.IOptions<Events.EventsOptions> events, ILogger<PerkGrantJob> logger)
{
    public const int ChunkSize = 1000;
    private const int SnapshotChunk = 10_000;

    /// <summary>Hangfire's entry point: the run id is the job id (Hangfire passes the PerformContext).</summary>
    [AutomaticRetry(Attempts = 5)]
    public Task RunAsync(string programId, string perkId, PerformContext? context, CancellationToken cancellationToken) =>
        GrantAsync(programId, perkId, context?.BackgroundJob.Id ?? throw new InvalidOperationException("No job context."), cancellationToken: cancellationToken);

    /// <summary>Runs (or resumes) one grant run; <paramref name="maxChunks"/> stops early, as a crash between chunks would.</summary>
    public async Task<PerkRunView?> GrantAsync(string programId, string perkId, string runId, int? maxChunks = null,
        CancellationToken cancellationToken = default)
    {
        var db = redis.GetDatabase();
        var program = await programs.FindAsync(programId, reload: true);
        var found = program is null ? null : await perks.FindDefinitionAsync(programId, perkId);
        if (program is null || found is not var (perk, status))
        {
            return null;
        }
        var runKey = RedisKeys.PerkRun(programId, perkId, runId);
        var runStatus = (string?)await db.HashGetAsync(runKey, "status");
        if (runStatus is null && status != PerkStatus.Active)
        {
            LogSkipped(logger, perkId, runId, status.ToWire());
            return null; // paused: this occurrence does not run
        }
        if (runStatus is null || WireCode<PerkRunStatus>.Parse(runStatus) == PerkRunStatus.Snapshotting)
        {
            await SnapshotAsync(program, perk, runId);
        }

        var cursor = (long?)await db.HashGetAsync(runKey, "cursor") ?? 0;
        var minLifetime = perk.Audience.Type switch
        {
            AudienceType.MinLifetimePoints => perk.Audience.Points ?? 0,
            AudienceType.MinTier => program.Definition.Tiers?.FirstOrDefault(t => t.Name == perk.Audience.Tier)?.MinLifetimePoints ?? long.MaxValue,
            AudienceType.All or AudienceType.Members or AudienceType.Badge or AudienceType.Top => -1,
        };
        var badge = perk.Audience.Type == AudienceType.Badge ? perk.Audience.Badge! : "";
        var stats = await perks.TodaysStatsAsync(programId);
        for (var chunks = 0; maxChunks is null || chunks < maxChunks; chunks++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var r = (RedisResult[])(await scripts.GrantPerkChunk.RunAsync(db, ScriptArgs<GrantPerkChunkScript>.Build(new(
                runKey, RedisKeys.PerkRunAudience(programId, perkId, runId), RedisKeys.Perk(programId, perkId), stats,
                RedisKeys.Events(programId), runId, cursor, ChunkSize, perkId, ProgramTime.ToUnixMs(clock.GetUtcNow()), minLifetime,
                RedisKeys.MemberPrefix(programId), insights.Value.RetentionSeconds, badge, events.Value.ScriptMaxLength))))!;
            var outcome = (string)r[0]!;
            if (outcome == "status")
            {
                break; // done (by us or a concurrent execution)
            }
            cursor = (long)r[1];
            if (outcome == "ok" && cursor >= (long)r[2])
            {
                break;
            }
        }
        // Only while the perk exists: a run that overlapped the perk's deletion leaves nothing behind.
        var recorded = db.CreateTransaction();
        recorded.AddCondition(Condition.KeyExists(RedisKeys.Perk(programId, perkId)));
        _ = recorded.HashSetAsync(RedisKeys.Perk(programId, perkId), "lastRunId", runId);
        if (!await recorded.ExecuteAsync())
        {
            await db.KeyDeleteAsync([runKey, RedisKeys.PerkRunAudience(programId, perkId, runId), RedisKeys.PerkRuns(programId, perkId)]);
            return null;
        }
        var run = await perks.RunAsync(programId, perkId, runId);
        LogRun(logger, perkId, runId, run?.Status.ToWire() ?? "?", run?.Granted ?? 0, run?.Total ?? 0, run?.Checked ?? 0);
        return run;
    }

    /// <summary>Writes the audience snapshot; a snapshot interrupted earlier is thrown away and taken again.</summary>
    private async Task SnapshotAsync(ProgramSnapshot program, PerkDefinition perk, string runId)
    {
        var db = redis.GetDatabase();
        var runKey = RedisKeys.PerkRun(program.Id, perk.PerkId, runId);
        var audienceKey = RedisKeys.PerkRunAudience(program.Id, perk.PerkId, runId);
        await db.HashSetAsync(runKey, [new("status", PerkRunStatus.Snapshotting.ToWire()), new("startedAt", ProgramTime.ToUnixMs(clock.GetUtcNow()))]);
        await db.SetAddAsync(RedisKeys.PerkRuns(program.Id, perk.PerkId), runId); // so that deleting the perk finds its runs
        await db.KeyDeleteAsync(audienceKey);
        long total = 0;
        await foreach (var chunk in AudienceAsync(program, perk.Audience))
        {
            total = await db.ListRightPushAsync(audienceKey, [.. chunk.Select(m => (RedisValue)m)]);
        }
        await db.HashSetAsync(runKey, [new("status", PerkRunStatus.Granting.ToWire()), new("total", total), new("cursor", 0), new("granted", 0)]);
    }

    private async IAsyncEnumerable<IReadOnlyList<string>> AudienceAsync(ProgramSnapshot program, Audience audience)
    {
        switch (audience.Type)
        {
            case AudienceType.Members:
                foreach (var chunk in audience.MemberIds!.Chunk(SnapshotChunk))
                {
                    yield return chunk;
                }
                break;
            case AudienceType.Top:
                yield return await TopAsync(program, audience);
                break;
            case AudienceType.All or AudienceType.MinLifetimePoints or AudienceType.MinTier or AudienceType.Badge:
                // every member; status, points and badges are checked when granting
                var db = redis.GetDatabase();
                for (long start = 0; ; start += SnapshotChunk)
                {
                    var ids = await db.SortedSetRangeByRankAsync(RedisKeys.MemberIndex(program.Id), start, start + SnapshotChunk - 1);
                    if (ids.Length == 0)
                    {
                        break;
                    }
                    yield return [.. ids.Select(i => i.ToString())];
                }
                break;
        }
    }

    /// <summary>The top N of a board window: the current period, or the last closed one from its archive (the live board if none).</summary>
    private async Task<IReadOnlyList<string>> TopAsync(ProgramSnapshot program, Audience audience)
    {
        var window = LeaderboardWindow.Current(audience.Window ?? WindowKind.All, clock.GetUtcNow(), program.Zone);
        var count = audience.Count!.Value;
        if (audience.Period == AudiencePeriod.Last)
        {
            window = window.Previous(program.Zone);
            var archive = await leaderboards.FindArchiveAsync(program.Id, audience.Board!, window.PeriodId!);
            // The archive holds the top ArchiveSize; erased members are left out of it but keep their ranks, so the top N
            // is ranks 1..N: an erased member's place does not pass to the next in line.
            if (archive is not null && Math.Min(count, archive.Total) <= LeaderboardStore.ArchiveSize)
            {
                return [.. archive.Entries.Where(e => e.Rank <= count).Select(e => e.MemberId)];
            }
        }
        var top = await leaderboards.TopAsync(program.Id, audience.Board!, window, 0, count);
        return [.. top.Entries.Select(e => e.MemberId)];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Perk {PerkId} run {RunId}: {Status}, {Granted} granted of {Total} in the audience ({Checked} members checked)")]
    private static partial void LogRun(ILogger logger, string perkId, string runId, string status, long granted, long total, long @checked);

    [LoggerMessage(Level = LogLevel.Information, Message = "Perk {PerkId} run {RunId} skipped: the perk is {Status}")]
    private static partial void LogSkipped(ILogger logger, string perkId, string runId, string status);
}
