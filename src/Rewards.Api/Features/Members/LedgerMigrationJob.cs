using Hangfire;
using Microsoft.Extensions.Options;
using Rewards.Api.Features.Activities;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Members;

/// <summary>
/// Brings programs written before ledger lists to the current storage layout, eagerly (awards, reads and erasure migrate a
/// member's ledger lazily, on first use): per program, one bounded SCAN step per script run (ledger-migrate.lua) moves the
/// members' ledger streams into their lists, then gives the decided activity hashes their detail expiry; the last step sets
/// the program's layout flag, after which awards pay nothing for the migration. Idempotent and safe beside concurrent
/// awards (each member's migration is one script run; a program already migrated is skipped at once); enqueued at every
/// start (<see cref="LedgerMigrationStartup"/>).
/// </summary>
public sealed partial class LedgerMigrationJob(IConnectionMultiplexer redis, RewardsScripts scripts, IOptions<ActivityOptions> activities,
    ILogger<LedgerMigrationJob> logger)
{
    /// <summary>Keys one SCAN step looks at (COUNT): bounds how long one script run blocks Redis.</summary>
    public const int ScanCount = 500;

    /// <summary>Every program, one after the other.</summary>
    [AutomaticRetry(Attempts = 3)]
    public async Task RunAllAsync()
    {
        var programs = await redis.GetDatabase().SortedSetRangeByRankAsync(RedisKeys.ProgramIndex);
        foreach (var program in programs)
        {
            var (ledgers, details) = await MigrateAsync(program.ToString());
            if (ledgers + details > 0)
            {
                LogMigrated(logger, program.ToString(), ledgers, details);
            }
        }
    }

    /// <summary>Migrates one program: how many member ledgers moved from streams, how many activity hashes got an expiry.</summary>
    public async Task<(long Ledgers, long ActivityDetails)> MigrateAsync(string programId)
    {
        var db = redis.GetDatabase();
        long ledgers = 0, details = 0;
        foreach (var phase in new[] { "ledgers", "activities" })
        {
            var cursor = "0";
            do
            {
                var r = (RedisResult[])(await scripts.MigrateLedgers.RunAsync(db, ScriptArgs<LedgerMigrateScript>.Build(new(
                    RedisKeys.Program(programId), phase, cursor, ScanCount, RedisKeys.MemberPrefix(programId),
                    RedisKeys.Activity(programId, "").ToString(), (long)activities.Value.DetailRetention.TotalMilliseconds,
                    ProgramTime.ToUnixMs(TimeProvider.System.GetUtcNow())))))!;
                cursor = (string)r[0]!;
                if (phase == "ledgers") { ledgers += (long)r[1]; } else { details += (long)r[1]; }
                if ((long)r[2] == 1)
                {
                    return (ledgers, details);
                }
            } while (cursor != "0");
        }
        return (ledgers, details);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Program {ProgramId} migrated to ledger lists: {Ledgers} ledgers, {Details} activity details dated")]
    private static partial void LogMigrated(ILogger logger, string programId, long ledgers, long details);
}

/// <summary>
/// Enqueues <see cref="LedgerMigrationJob"/> once the host starts (any instance may: the job is idempotent), unless
/// Rewards:Jobs:MigrateStorageAtStart is false (tests run the job themselves).
/// </summary>
public sealed partial class LedgerMigrationStartup(IServiceProvider services, IOptions<Infrastructure.Jobs.JobsOptions> jobs,
    ILogger<LedgerMigrationStartup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // off the host's start: Redis may be unreachable for a while
        if (!jobs.Value.MigrateStorageAtStart)
        {
            return;
        }
        try
        {
            services.GetRequiredService<IBackgroundJobClient>().Enqueue<LedgerMigrationJob>(j => j.RunAllAsync());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e); // the next start enqueues it again (Hangfire wraps storage failures in its own exception)
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not enqueue the ledger migration; the next start enqueues it again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
