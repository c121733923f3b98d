using Cronos;
using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Api.Features.Quotas;

/// <summary>
/// The answer when a request would take a program past one of its quotas: 409 (the request conflicts with the program's
/// quota, and would pass under a larger one), naming the quota, its limit, what the request needed, and how to get more.
/// Nothing is changed.
/// </summary>
public static class QuotaExceeded
{
    public const string Type = "https://rewards.local/problems/quota-exceeded";

    public static ConflictProblem Problem(string programId, string quota, long limit, long requested, string what, string remedy) =>
        new($"Quota '{quota}' of program '{programId}' is {limit:N0} {what}; this request needs {requested:N0}. {remedy} " +
            $"The platform operator can raise the quota (PUT /v1/programs/{programId}/quotas).",
            "Quota exceeded", Type,
            new Dictionary<string, object?> { ["quota"] = quota, ["limit"] = limit, ["requested"] = requested });
}

/// <summary>The shortest interval between two runs of a cron schedule (the minCronIntervalMinutes quota).</summary>
public static class CronInterval
{
    /// <summary>Occurrences looked at: a year of them, at most this many (an hourly cron has 8,784 a year).</summary>
    private const int MaxOccurrences = 10_000;

    /// <summary>
    /// The shortest gap between consecutive occurrences over the year from <paramref name="from"/>, in UTC instants (so a DST
    /// change counts as it really falls); it stops at the first gap below <paramref name="atLeast"/>. A schedule too dense to
    /// be looked at whole within <see cref="MaxOccurrences"/> answers the smallest gap it saw.
    /// </summary>
    public static TimeSpan Shortest(CronExpression cron, TimeZoneInfo zone, DateTimeOffset from, TimeSpan atLeast)
    {
        var shortest = TimeSpan.MaxValue;
        DateTimeOffset? previous = null;
        var seen = 0;
        foreach (var next in cron.GetOccurrences(from, from.AddDays(366), zone))
        {
            if (previous is { } p && next - p < shortest)
            {
                shortest = next - p;
                if (shortest < atLeast)
                {
                    break;
                }
            }
            previous = next;
            if (++seen >= MaxOccurrences)
            {
                break;
            }
        }
        return shortest;
    }
}
