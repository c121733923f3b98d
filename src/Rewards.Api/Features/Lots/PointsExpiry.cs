using System.Globalization;
using System.Text.RegularExpressions;
using Rewards.Api.Features.Members;

namespace Rewards.Api.Features.Lots;

public enum CalendarUnit { Month, Quarter, Year }

/// <summary>
/// A program's <c>pointsExpiry</c> setting (docs/points-expiry.md), parsed. Three forms:
/// <list type="bullet">
/// <item><c>none</c> (the default): points never expire and no lot is written at all;</item>
/// <item>a rolling period after earning, an ISO 8601 duration of years, months, weeks and days (<c>P12M</c>, <c>P1Y6M</c>, <c>P90D</c>):
/// points earned on local day d can be spent through local day d + period and expire at the local midnight that ends it;</item>
/// <item>the end of a calendar period after earning: <c>endOf:year</c>, <c>endOf:year+1</c> (the end of the next year),
/// <c>endOf:quarter+N</c>, <c>endOf:month+N</c>: spendable through the last day of that period.</item>
/// </list>
/// A lot's expiry date is the last local day its points can be spent. A changed policy applies to lots made from then on; lots
/// already made keep their dates (and the policy <c>none</c> stops making lots, it does not cancel the ones there are).
/// </summary>
public sealed partial record PointsExpiryPolicy
{
    public const string None = "none";

    /// <summary>The longest period a policy may give points (10 years), so dates stay within what members can be told.</summary>
    public const int MaxYears = 10;

    public const string Rule =
        "'none', a rolling period after earning as an ISO 8601 duration of years, months, weeks and days (e.g. 'P12M', 'P1Y6M', 'P90D'; " +
        "at least one day, at most 10 years), or the end of a calendar period after earning: 'endOf:<year|quarter|month>' or " +
        "'endOf:<year|quarter|month>+N' (e.g. 'endOf:year+1', the end of the next year; at most 10 years ahead).";

    private PointsExpiryPolicy(string text) => Text = text;

    /// <summary>The setting as stored and shown.</summary>
    public string Text { get; }

    public bool IsNone => Text == None;

    private int _years, _months, _days;
    private CalendarUnit? _unit;
    private int _offset;

    public static readonly PointsExpiryPolicy NoExpiry = new(None);

    /// <summary>The stored setting (null = none); stored settings were validated, so they parse.</summary>
    public static PointsExpiryPolicy Of(string? text) => TryParse(text ?? None, out var policy) ? policy : NoExpiry;

    public static bool TryParse(string? text, out PointsExpiryPolicy policy)
    {
        policy = NoExpiry;
        if (text is null || text.Length > 40)
        {
            return false;
        }
        if (text == None)
        {
            return true;
        }
        if (DurationPattern().Match(text) is { Success: true } d && d.Length > 1)
        {
            int Part(int i) => d.Groups[i].Success ? int.Parse(d.Groups[i].Value, CultureInfo.InvariantCulture) : 0;
            if (d.Groups.Values.Skip(1).Any(g => g.Success && g.Value.Length > 5))
            {
                return false;
            }
            var p = new PointsExpiryPolicy(text) { _years = Part(1), _months = Part(2), _days = Part(3) * 7 + Part(4) };
            var span = p._years * 366L + p._months * 31L + p._days;
            if (span < 1 || p._years * 12L + p._months + p._days / 28L > MaxYears * 12L)
            {
                return false;
            }
            policy = p;
            return true;
        }
        if (CalendarPattern().Match(text) is { Success: true } c)
        {
            var unit = c.Groups[1].Value switch { "year" => CalendarUnit.Year, "quarter" => CalendarUnit.Quarter, _ => CalendarUnit.Month };
            var offset = c.Groups[2].Success ? int.Parse(c.Groups[2].Value, CultureInfo.InvariantCulture) : 0;
            var months = offset * unit switch { CalendarUnit.Year => 12, CalendarUnit.Quarter => 3, _ => 1 };
            if (months > MaxYears * 12)
            {
                return false;
            }
            policy = new PointsExpiryPolicy(text) { _unit = unit, _offset = offset };
            return true;
        }
        return false;
    }

    /// <summary>The last local day points earned on <paramref name="earnedOn"/> can be spent; null for <c>none</c>.</summary>
    public DateOnly? ExpiresOn(DateOnly earnedOn)
    {
        if (IsNone)
        {
            return null;
        }
        if (_unit is not { } unit)
        {
            return earnedOn.AddYears(_years).AddMonths(_months).AddDays(_days);
        }
        var start = unit switch
        {
            CalendarUnit.Year => new DateOnly(earnedOn.Year, 1, 1).AddYears(_offset),
            CalendarUnit.Quarter => new DateOnly(earnedOn.Year, (earnedOn.Month - 1) / 3 * 3 + 1, 1).AddMonths(3 * _offset),
            _ => new DateOnly(earnedOn.Year, earnedOn.Month, 1).AddMonths(_offset),
        };
        var length = unit switch { CalendarUnit.Year => 12, CalendarUnit.Quarter => 3, _ => 1 };
        return start.AddMonths(length).AddDays(-1);
    }

    /// <summary>The lot argument of the scripts: the expiry date as 'yyyymmdd', '' for none (no lot).</summary>
    public string LotOf(DateOnly earnedOn) => ExpiresOn(earnedOn) is { } d ? LotDates.Format(d) : "";

    [GeneratedRegex(@"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^endOf:(year|quarter|month)(?:\+(\d{1,3}))?\z", RegexOptions.CultureInvariant)]
    private static partial Regex CalendarPattern();
}

/// <summary>Lot dates as the scripts store them ('yyyymmdd': the lots hash's fields, the due set's scores).</summary>
public static class LotDates
{
    public static string Format(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static DateOnly Parse(string text) => DateOnly.ParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>The instant a lot's points expire: the local midnight that ends its expiry date (DST-aware).</summary>
    public static DateTimeOffset ExpiresAt(DateOnly expiresOn, TimeZoneInfo zone)
    {
        var local = expiresOn.AddDays(1).ToDateTime(TimeOnly.MinValue);
        // A midnight skipped by a DST change starts the day at the first valid local time after it.
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}

/// <summary>A 'taken' description of lots.lua ('yyyymmdd:n,yyyymmdd:n') as ledger entries show it.</summary>
public static class LotsTaken
{
    public static IReadOnlyList<LotAmount>? Parse(string? taken)
    {
        if (string.IsNullOrEmpty(taken))
        {
            return null;
        }
        var list = new List<LotAmount>();
        foreach (var part in taken.Split(','))
        {
            var colon = part.IndexOf(':');
            if (colon == 8 && long.TryParse(part.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                && DateOnly.TryParseExact(part.AsSpan(0, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                list.Add(new LotAmount(d, n));
            }
        }
        return list;
    }
}
