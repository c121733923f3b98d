namespace Rewards.Api.Features.Leaderboards;

/// <summary>
/// How a day, week or month board stores a score (Scripts/boards.lua, TIME_SPAN): points * <see cref="WindowScale"/> plus a
/// tie-break below it (earlier reach ranks higher). All-time boards store the points themselves. Self-contained: the fault
/// injector (tests/Rewards.Faults) compiles this file too.
/// </summary>
public static class ScoreEncoding
{
    /// <summary>2^22: the low 22 bits of a windowed score hold the reach time (seconds from the window's start).</summary>
    public const long WindowScale = 1L << 22;

    /// <summary>The points of a windowed board's score.</summary>
    public static long WindowPoints(double score) => (long)Math.Floor(score / WindowScale);
}
