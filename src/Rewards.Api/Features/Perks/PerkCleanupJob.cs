using Hangfire;

namespace Rewards.Api.Features.Perks;

/// <summary>
/// After a perk is deleted (its own keys go at once, in perk-delete.lua), removes it from members' grants and inboxes,
/// walking the program's members in chunks in the background: a member's claimed code of a deleted offer goes too, as the
/// perk is withdrawn. Re-running it is harmless, so Hangfire's retries and duplicate executions are safe.
/// </summary>
public sealed partial class PerkCleanupJob(PerkStore perks, ILogger<PerkCleanupJob> logger)
{
    public const int ChunkSize = 1000;

    [AutomaticRetry(Attempts = 5)]
    public async Task RunAsync(string programId, string perkId, CancellationToken cancellationToken)
    {
        long members = 0;
        for (long start = 0; ; start += ChunkSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var seen = await perks.UngrantChunkAsync(programId, perkId, start, ChunkSize);
            members += seen;
            if (seen < ChunkSize)
            {
                break;
            }
        }
        LogCleaned(logger, perkId, members);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted perk {PerkId} removed from the grants of {Members} members")]
    private static partial void LogCleaned(ILogger logger, string perkId, long members);
}
