using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Rewards.Api.Features.Activities;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Errors;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Insights;

/// <summary>The community's pulse for marketers: real-time KPIs per local day, and the ambassadors.</summary>
public static class InsightsApi
{
    public const int MaxStatsDays = 92;
    public const int MaxAmbassadorDays = 90;

    public static IServiceCollection AddInsightsFeature(this IServiceCollection services)
    {
        services.AddOptions<InsightsOptions>().BindConfiguration(InsightsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }

    public static RouteGroupBuilder MapInsightsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/programs/{programId}").WithTags("Insights").RequireAuthorization(Policies.Perks).RequireProgram();
        group.MapGet("/stats", GetStats)
            .WithName(nameof(GetStats))
            .ProducesProblems(404)
            .WithSummary("KPIs per local day and totals")
            .WithDescription("Interactions per activity type (awarded, pending, rejected), unique active members, new members, points issued " +
                "and reversed, perks granted, claimed and accepted. `from`/`to`: local dates (default: the last 7 days), at most 92 days. " +
                "Counters are written by the award script, so an award shows at once; they are kept Rewards:Insights:RetentionDays (400 by default).");
        group.MapGet("/ambassadors", GetAmbassadors)
            .WithName(nameof(GetAmbassadors))
            .ProducesProblems(404)
            .WithSummary("The members who contribute most over a rolling window")
            .WithDescription("Score: awarded points over the last `days` local days including today (awards and approvals count on the " +
                "activity's day, reversals subtract). Flagged, suspended and erased members are left out. Each comes with their contribution mix.");
        return group;
    }

    public sealed record TypeCounts(long Awarded, long Pending, long Rejected);

    public sealed record PerkCounts(long Granted, long Claimed, long Accepted);

    public sealed record DayStats(string Date, IReadOnlyDictionary<string, TypeCounts> Interactions, long ActiveMembers, long NewMembers,
        long PointsIssued, long PointsReversed, PerkCounts Perks);

    public sealed record StatsReport(string From, string To, string TimeZone, IReadOnlyList<DayStats> Days, DayStats Totals);

    public sealed record Contribution(string Type, long Activities, long Points);

    public sealed record Ambassador(long Rank, string MemberId, string? DisplayName, long Points, IReadOnlyList<Contribution> Mix);

    public sealed record AmbassadorReport(int Days, DateTimeOffset Since, IReadOnlyList<Ambassador> Ambassadors);

    private static async Task<Results<Ok<StatsReport>, ValidationProblem, ProblemHttpResult>> GetStats(
        string programId, RouteProgram route, IConnectionMultiplexer redis, TimeProvider clock, string? from = null, string? to = null)
    {
        var program = route.Program;
        var today = ProgramTime.LocalDate(clock.GetUtcNow(), program.Zone);
        var v = new Validation();
        var toDate = ParseDate(to, today, "to", v);
        var fromDate = ParseDate(from, toDate.AddDays(-6), "from", v);
        v.Check(fromDate <= toDate && toDate.DayNumber - fromDate.DayNumber < MaxStatsDays, "from", $"from ≤ to, at most {MaxStatsDays} days.");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var db = redis.GetDatabase();
        var dates = Enumerable.Range(0, toDate.DayNumber - fromDate.DayNumber + 1).Select(i => ProgramTime.DayId(fromDate.AddDays(i))).ToArray();
        var counters = dates.Select(d => db.HashGetAllAsync(RedisKeys.Stats(program.Id, d))).ToArray();
        var active = dates.Select(d => db.HyperLogLogLengthAsync(RedisKeys.StatsActiveMembers(program.Id, d))).ToArray();
        var distinct = db.HyperLogLogLengthAsync([.. dates.Select(d => RedisKeys.StatsActiveMembers(program.Id, d))]);
        await Task.WhenAll([.. counters, .. active, distinct]);
        var days = dates.Select((d, i) => ToDay(d, counters[i].Result, active[i].Result)).ToList();
        var totals = new DayStats($"{dates[0]}..{dates[^1]}",
            days.SelectMany(d => d.Interactions).GroupBy(e => e.Key).ToDictionary(g => g.Key,
                g => new TypeCounts(g.Sum(e => e.Value.Awarded), g.Sum(e => e.Value.Pending), g.Sum(e => e.Value.Rejected))),
            distinct.Result, days.Sum(d => d.NewMembers), days.Sum(d => d.PointsIssued), days.Sum(d => d.PointsReversed),
            new PerkCounts(days.Sum(d => d.Perks.Granted), days.Sum(d => d.Perks.Claimed), days.Sum(d => d.Perks.Accepted)));
        return TypedResults.Ok(new StatsReport(dates[0], dates[^1], program.Definition.TimeZone, days, totals));
    }

    private static DayStats ToDay(string date, HashEntry[] entries, long active)
    {
        var f = entries.ToDictionary(e => e.Name.ToString(), e => (long)e.Value);
        long Get(string name) => f.GetValueOrDefault(name);
        var types = f.Keys.Where(k => k.Contains(':')).Select(k => k[(k.IndexOf(':') + 1)..]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return new DayStats(date, types.ToDictionary(t => t, t => new TypeCounts(Get($"awarded:{t}"), Get($"pending:{t}"), Get($"rejected:{t}"))),
            active, Get("newMembers"), Get("pointsIssued"), Get("pointsReversed"), new PerkCounts(Get("perksGranted"), Get("perksClaimed"), Get("perksAccepted")));
    }

    private static DateOnly ParseDate(string? value, DateOnly fallback, string field, Validation v)
    {
        if (value is null)
        {
            return fallback;
        }
        if (value.Length == 10 && DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date.Year >= 2000)
        {
            return date;
        }
        v.Add(field, "A local date such as 2026-11-22.");
        return fallback;
    }

    private static async Task<Results<Ok<AmbassadorReport>, ValidationProblem, ProblemHttpResult>> GetAmbassadors(
        string programId, RouteProgram route, IConnectionMultiplexer redis, RewardsScripts scripts, TimeProvider clock,
        int? days = null, int? limit = null)
    {
        var program = route.Program;
        var v = new Validation()
            .Check(days is null or >= 1 and <= MaxAmbassadorDays, "days", $"1 to {MaxAmbassadorDays}.")
            .Check(limit is null or >= 1 and <= 100, "limit", "1 to 100.");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var window = days ?? 30;
        var now = clock.GetUtcNow();
        var today = ProgramTime.LocalDate(now, program.Zone);
        var first = today.AddDays(1 - window);
        var db = redis.GetDatabase();
        var r = (RedisResult[])(await scripts.Ambassadors.RunAsync(db, ScriptArgs<AmbassadorsScript>.Build(new(
            RedisKeys.AmbassadorDay(program.Id, $"scratch-{Guid.NewGuid():N}"), limit ?? 20, RedisKeys.MemberPrefix(program.Id),
            [.. Enumerable.Range(0, window).Select(i => RedisKeys.AmbassadorDay(program.Id, ProgramTime.DayId(first.AddDays(i))))]))))!;
        var since = Leaderboards.LeaderboardWindow.LocalMidnight(first, program.Zone);
        var ids = Enumerable.Range(0, r.Length / 3).Select(i => (Id: (string)r[3 * i]!, Points: (long)(double)r[3 * i + 1], Name: (string?)r[3 * i + 2])).ToArray();
        // The mix: each ambassador's awards and approvals since the window's start, less their reversals, from their ledger
        // (pipelined), so that it adds up to their points as the daily totals do.
        var ledgers = ids.Select(a => db.StreamRangeAsync(RedisKeys.Ledger(program.Id, a.Id), minId: $"{since.ToUnixTimeMilliseconds()}-0")).ToArray();
        await Task.WhenAll(ledgers);
        var ambassadors = ids.Select((a, i) => new Ambassador(i + 1, a.Id, string.IsNullOrEmpty(a.Name) ? null : a.Name, a.Points,
            [.. ledgers[i].Result.Where(e => e["kind"] == "award" || e["kind"] == "approval" || e["kind"] == "reversal")
                .GroupBy(e => (string)e["type"]!)
                .Select(g => new Contribution(g.Key, g.Sum(e => e["kind"] == "reversal" ? -1 : 1), g.Sum(e => (long)e["points"])))
                .Where(c => c.Activities > 0)
                .OrderByDescending(c => c.Points)])).ToList();
        return TypedResults.Ok(new AmbassadorReport(window, since, ambassadors));
    }
}
