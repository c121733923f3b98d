using Rewards.Api.Features.Quotas;
using Rewards.Api.Infrastructure.Errors;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Perks;

/// <summary>The program quotas perks are held to, as problems (null when the request is within them).</summary>
public static class PerkQuotas
{
    public static ConflictProblem? CodesPerRequest(string programId, long requested, ProgramQuotas quotas) =>
        requested <= quotas.MaxCodesPerRequest ? null
            : QuotaExceeded.Problem(programId, QuotaNames.MaxCodesPerRequest, quotas.MaxCodesPerRequest, requested, "codes per request",
                "Send the codes in several requests (POST .../perks/{perkId}/codes).");

    /// <summary>A cron schedule whose runs come closer together than the program's minimum interval.</summary>
    public static ConflictProblem? CronInterval(string programId, Schedule schedule, ProgramQuotas quotas, DateTimeOffset now)
    {
        if (schedule.Type != ScheduleType.Cron || !PerkRules.TryParseCron(schedule.Cron, out var cron) || !ProgramTime.TryFindZone(schedule.TimeZone, out var zone))
        {
            return null;
        }
        var minimum = TimeSpan.FromMinutes(quotas.MinCronIntervalMinutes);
        var shortest = Quotas.CronInterval.Shortest(cron, zone, now, minimum);
        return shortest >= minimum ? null
            : QuotaExceeded.Problem(programId, QuotaNames.MinCronIntervalMinutes, quotas.MinCronIntervalMinutes, (long)Math.Floor(shortest.TotalMinutes),
                "minutes between two runs of a cron schedule (the requested schedule runs that often)",
                "Choose a schedule whose runs are further apart, e.g. '0 9 * * *' (daily) or '0 9 * * MON' (weekly).");
    }

    /// <summary>The problem for a refusal of the script that wrote (or did not write) the codes.</summary>
    public static ConflictProblem? Refusal(string programId, CodesOutcome outcome, long requested, ProgramQuotas quotas) => outcome.Result switch
    {
        CodesResult.PerksQuota => QuotaExceeded.Problem(programId, QuotaNames.MaxPerks, quotas.MaxPerks, outcome.Count + 1, "perks held at once",
            "Delete perks the program no longer needs."),
        CodesResult.PoolQuota => QuotaExceeded.Problem(programId, QuotaNames.MaxCodesPerPool, quotas.MaxCodesPerPool, outcome.Count + requested,
            "codes in one offer's pool (claimed codes included)", "Create another offer for further codes."),
        CodesResult.Duplicates => new ConflictProblem(
            $"{outcome.Count:N0} of the codes are already in this offer's pool (claimed ones included) or repeated in the request; nothing was added. " +
            "Send only new codes.", "Duplicate codes", null,
            new Dictionary<string, object?> { ["duplicates"] = outcome.Duplicates, ["duplicateCount"] = outcome.Count }),
        _ => null,
    };
}
