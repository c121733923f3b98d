using Cronos;
using Rewards.Api.Features.Quotas;

namespace Rewards.Tests.Features.Programs;

/// <summary>The shortest interval of a cron schedule, in real (UTC) time over a year in its time zone.</summary>
public sealed class CronIntervalTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    private static TimeSpan Shortest(string cron, DateTimeOffset from, int atLeastMinutes = 60) =>
        CronInterval.Shortest(CronExpression.Parse(cron), Paris, from, TimeSpan.FromMinutes(atLeastMinutes));

    [Theory]
    [InlineData("* * * * *", 1)]
    [InlineData("*/15 * * * *", 15)]
    [InlineData("0,30 9 * * *", 30)]
    [InlineData("0 * * * *", 60)]
    [InlineData("0 9,17 * * *", 8 * 60)]
    [InlineData("0 9 * * MON", 7 * 24 * 60 - 60)] // the week of the spring DST change is an hour short
    public void Shortest_IsTheClosestTwoRuns(string cron, int minutes) =>
        Assert.Equal(TimeSpan.FromMinutes(minutes), Shortest(cron, new DateTimeOffset(2026, 11, 18, 10, 0, 0, TimeSpan.Zero), atLeastMinutes: 1));

    [Fact]
    public void DaylightSavingChanges_CountAsTheyFall()
    {
        // 02:30 daily does not exist on the last Sunday of March in Paris: Cronos runs it at 03:00 CEST, half an hour
        // less than a day after the run before; the autumn change makes a 25-hour day, never a shorter one.
        var shortest = Shortest("30 2 * * *", new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromHours(23.5), shortest);
        Assert.Equal(TimeSpan.FromHours(1), Shortest("0 * * * *", new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void AScheduleRunningOnceInTheYear_HasNoShorterInterval() =>
        Assert.Equal(TimeSpan.MaxValue, Shortest("0 9 1 1 *", new DateTimeOffset(2026, 11, 18, 10, 0, 0, TimeSpan.Zero)));
}
