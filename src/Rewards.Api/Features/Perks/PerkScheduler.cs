using Hangfire;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Perks;

/// <summary>Turns a perk's schedule into Hangfire jobs: one now, one at an instant, or a recurring job per cron occurrence.</summary>
public sealed class PerkScheduler(IBackgroundJobClient jobs, IRecurringJobManager recurring)
{
    public static string RecurringId(string programId, string perkId) => $"perk:{programId}:{perkId}";

    public void Start(string programId, PerkDefinition perk)
    {
        switch (perk.Schedule.Type)
        {
            case ScheduleType.Now:
                jobs.Enqueue<PerkGrantJob>(j => j.RunAsync(programId, perk.PerkId, null, CancellationToken.None));
                break;
            case ScheduleType.At:
                jobs.Schedule<PerkGrantJob>(j => j.RunAsync(programId, perk.PerkId, null, CancellationToken.None), perk.Schedule.At!.Value);
                break;
            case ScheduleType.Cron:
                ProgramTime.TryFindZone(perk.Schedule.TimeZone, out var zone);
                recurring.AddOrUpdate<PerkGrantJob>(RecurringId(programId, perk.PerkId),
                    j => j.RunAsync(programId, perk.PerkId, null, CancellationToken.None), perk.Schedule.Cron!,
                    new RecurringJobOptions { TimeZone = zone });
                break;
        }
    }

    /// <summary>Stops future runs. One-off jobs already queued find the perk paused or deleted and do nothing.</summary>
    public void Stop(string programId, PerkDefinition perk)
    {
        if (perk.Schedule.Type == ScheduleType.Cron)
        {
            recurring.RemoveIfExists(RecurringId(programId, perk.PerkId));
        }
    }
}
