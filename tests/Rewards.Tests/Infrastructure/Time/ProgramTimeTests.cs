using Rewards.Api.Infrastructure.Time;

namespace Rewards.Tests.Infrastructure.Time;

public sealed class ProgramTimeTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    [Theory]
    [InlineData("2026-11-18T22:59:59Z", "2026-11-18", "2026-W47", "2026-11")]
    [InlineData("2026-11-18T23:00:00Z", "2026-11-19", "2026-W47", "2026-11")]
    [InlineData("2026-11-22T22:59:59Z", "2026-11-22", "2026-W47", "2026-11")] // Sunday evening
    [InlineData("2026-11-22T23:00:00Z", "2026-11-23", "2026-W48", "2026-11")] // Monday 00:00 local
    [InlineData("2026-03-28T23:00:00Z", "2026-03-29", "2026-W13", "2026-03")] // DST starts 29 Mar: a 23-hour day
    [InlineData("2026-03-29T21:59:59Z", "2026-03-29", "2026-W13", "2026-03")]
    [InlineData("2026-03-29T22:00:00Z", "2026-03-30", "2026-W14", "2026-03")]
    [InlineData("2026-12-31T23:00:00Z", "2027-01-01", "2026-W53", "2027-01")] // ISO week 53 of 2026
    public void PeriodsOf_UsesProgramLocalTime(string instant, string day, string week, string month)
    {
        var periods = ProgramTime.PeriodsOf(DateTimeOffset.Parse(instant), Paris);
        Assert.Equal(new LocalPeriods(day, week, month), periods);
    }

    [Theory]
    [InlineData("Europe/Paris", true)]
    [InlineData("UTC", true)]
    [InlineData("America/Argentina/Buenos_Aires", true)]
    [InlineData("Romance Standard Time", false)]
    [InlineData("Mars/Olympus", false)]
    [InlineData("", false)]
    public void OnlyIanaZonesAreAccepted(string id, bool accepted) => Assert.Equal(accepted, ProgramTime.TryFindZone(id, out _));
}
