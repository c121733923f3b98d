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

    /// <summary>The IANA ids the runtime lists (UTC included), for canonical casing and suggestions.</summary>
    private static readonly Lazy<string[]> ZoneIds = new(() => TimeZoneInfo.GetSystemTimeZones()
        .Where(z => z.HasIanaId).Select(z => z.Id).Append("UTC").Append("Etc/UTC")
        .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray());

    /// <summary>
    /// The id as it should be stored: the listed IANA id with its canonical casing ('europe/paris' → 'Europe/Paris'); the
    /// id itself for a zone the runtime knows but does not list (a backward alias); null for an unknown id.
    /// </summary>
    public static string? CanonicalZoneId(string? id)
    {
        if (!TryFindZone(id, out _))
        {
            return null;
        }
        return Array.Find(ZoneIds.Value, z => string.Equals(z, id, StringComparison.OrdinalIgnoreCase)) ?? id;
    }

    /// <summary>The listed IANA id nearest to a mistyped one: same id in another case, then a small edit, then the same city.</summary>
    public static string? NearestZoneId(string given)
    {
        var typed = given.Trim().Replace(' ', '_');
        if (Errors.Suggestions.Closest(typed, ZoneIds.Value, maxDistance: 3) is { } close)
        {
            return close;
        }
        var city = typed[(typed.LastIndexOf('/') + 1)..];
        return city.Length < 3 ? null
            : Array.Find(ZoneIds.Value, z => z.EndsWith("/" + city, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The validation message for a time zone that is missing or not a known IANA id, with the nearest valid one.</summary>
    public static string ZoneMessage(string? given) => given is null
        ? "Required: an IANA time zone id such as 'Europe/Paris'."
        : $"Invalid: '{Errors.Problems.Excerpt(given)}' is not an IANA time zone id" + (given.Length <= 64 && NearestZoneId(given) is { } nearest
            ? $"; did you mean '{nearest}'?"
            : " (such as 'Europe/Paris').");

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
