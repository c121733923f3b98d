using System.Globalization;

namespace Rewards.Api.Infrastructure.Time;

/// <summary>The local periods an instant falls in, in a program's time zone (weeks are ISO weeks, starting Monday).</summary>
public readonly record struct LocalPeriods(string Day, string Week, string Month);

public static class ProgramTime
{
    /// <summary>An IANA time zone id the runtime knows (Windows ids are refused so settings read the same everywhere).</summary>
    public static bool TryFindZone(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(id) || id.Length > 64 || !TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found) || !found.HasIanaId)
        {
            return false;
        }
        zone = found;
        return true;
    }

    public static DateOnly LocalDate(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);

    public static LocalPeriods PeriodsOf(DateTimeOffset instant, TimeZoneInfo zone)
    {
        var date = LocalDate(instant, zone);
        return new LocalPeriods(DayId(date), WeekId(date), MonthId(date));
    }

    public static string DayId(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string WeekId(DateOnly date)
    {
        var day = date.ToDateTime(TimeOnly.MinValue);
        return string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(day):D4}-W{ISOWeek.GetWeekOfYear(day):D2}");
    }

    public static string MonthId(DateOnly date) => date.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static long ToUnixMs(DateTimeOffset instant) => instant.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromUnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
