using System.Globalization;
using System.Text.RegularExpressions;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Leaderboards;

/// <summary>
/// One period of a leaderboard window in a program's time zone: a local day, an ISO week (Monday start) or a month.
/// Starts are local midnights converted with the zone's rules, so a DST day lasts 23 or 25 hours.
/// </summary>
public sealed partial record LeaderboardWindow(WindowKind Kind, string? PeriodId, DateTimeOffset? Start, DateTimeOffset? End)
{
    public static readonly LeaderboardWindow AllTime = new(WindowKind.All, null, null, null);

    public static readonly WindowKind[] Periodic = [WindowKind.Day, WindowKind.Week, WindowKind.Month];

    public static string Name(WindowKind kind) => kind.ToWire();

    /// <summary>'all' (the default), 'day', 'week' or 'month'.</summary>
    public static bool TryParseKind(string? value, out WindowKind kind)
    {
        kind = WindowKind.All;
        return value is null || WireCode<WindowKind>.TryParse(value, out kind);
    }

    /// <summary>The period of <paramref name="kind"/> containing the local date.</summary>
    public static LeaderboardWindow Containing(WindowKind kind, DateOnly localDate, TimeZoneInfo zone)
    {
        var first = kind switch
        {
            WindowKind.Day => localDate,
            WindowKind.Week => DateOnly.FromDateTime(ISOWeek.ToDateTime(ISOWeek.GetYear(localDate.ToDateTime(TimeOnly.MinValue)),
                ISOWeek.GetWeekOfYear(localDate.ToDateTime(TimeOnly.MinValue)), DayOfWeek.Monday)),
            WindowKind.Month => new DateOnly(localDate.Year, localDate.Month, 1),
            WindowKind.All => throw new ArgumentOutOfRangeException(nameof(kind), "The all-time window has no periods."),
        };
        var next = kind switch
        {
            WindowKind.Day => first.AddDays(1),
            WindowKind.Week => first.AddDays(7),
            WindowKind.Month or WindowKind.All => first.AddMonths(1),
        };
        var id = kind switch
        {
            WindowKind.Day => ProgramTime.DayId(first),
            WindowKind.Week => ProgramTime.WeekId(first),
            WindowKind.Month or WindowKind.All => ProgramTime.MonthId(first),
        };
        return new LeaderboardWindow(kind, id, LocalMidnight(first, zone), LocalMidnight(next, zone));
    }

    public static LeaderboardWindow Current(WindowKind kind, DateTimeOffset now, TimeZoneInfo zone) =>
        kind == WindowKind.All ? AllTime : Containing(kind, ProgramTime.LocalDate(now, zone), zone);

    /// <summary>The period named by an id of the kind's format (2026-11-21, 2026-W47, 2026-11); null when malformed.</summary>
    public static LeaderboardWindow? Parse(WindowKind kind, string periodId, TimeZoneInfo zone)
    {
        DateOnly date;
        switch (kind)
        {
            case WindowKind.Day when DayPattern().IsMatch(periodId)
                && DateOnly.TryParseExact(periodId, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date):
                break;
            case WindowKind.Month when MonthPattern().IsMatch(periodId)
                && DateOnly.TryParseExact(periodId + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date):
                break;
            case WindowKind.Week when WeekPattern().Match(periodId) is { Success: true } m:
                var (year, week) = (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
                if (year is < 2000 or > 9998 || week < 1 || week > ISOWeek.GetWeeksInYear(year))
                {
                    return null;
                }
                date = DateOnly.FromDateTime(ISOWeek.ToDateTime(year, week, DayOfWeek.Monday));
                break;
            default:
                return null;
        }
        return date.Year is < 2000 or > 9998 ? null : Containing(kind, date, zone);
    }

    /// <summary>The period <paramref name="count"/> periods before this one.</summary>
    public LeaderboardWindow Previous(TimeZoneInfo zone, int count = 1)
    {
        var local = ProgramTime.LocalDate(Start!.Value, zone);
        return Containing(Kind, Kind switch
        {
            WindowKind.Day => local.AddDays(-count),
            WindowKind.Week => local.AddDays(-7 * count),
            WindowKind.Month or WindowKind.All => local.AddMonths(-count),
        }, zone);
    }

    /// <summary>When a period's board key may go: its end plus <paramref name="retention"/> more periods (and a day of slack).</summary>
    public DateTimeOffset ExpiresAt(int retention) => End!.Value + Kind switch
    {
        WindowKind.Day => TimeSpan.FromDays(retention + 1),
        WindowKind.Week => TimeSpan.FromDays(7 * retention + 1),
        WindowKind.Month or WindowKind.All => TimeSpan.FromDays(31 * retention + 1),
    };

    /// <summary>The instant of local midnight; where midnight does not exist (a DST jump at 00:00), the first local minute that does.</summary>
    public static DateTimeOffset LocalMidnight(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }
        // An ambiguous midnight (clocks back at 00:00) starts at its first occurrence: the larger offset.
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}\z")]
    private static partial Regex DayPattern();

    [GeneratedRegex(@"^([0-9]{4})-W([0-9]{2})\z")]
    private static partial Regex WeekPattern();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}\z")]
    private static partial Regex MonthPattern();
}
