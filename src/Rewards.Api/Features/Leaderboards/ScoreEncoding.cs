namespace Rewards.Api.Features.Leaderboards;

/// <summary>
/// How a day, week or month board stores a score (Scripts/boards.lua, WINDOW_SCALE): points * <see cref="WindowScale"/>
/// (entries of the former encoding add a reach-second tie-break below it). All-time boards store the points themselves.
/// Ties follow the entry: '&lt;16-digit inverted commit sequence&gt;:&lt;memberId&gt;'. Self-contained: the fault injector
/// (tests/Rewards.Faults) compiles this file too.
/// </summary>
public static class ScoreEncoding
{
    /// <summary>2^22: a windowed score's scale (the low 22 bits are 0, or the former encoding's reach second).</summary>
    public const long WindowScale = 1L << 22;

    /// <summary>The points of a windowed board's score.</summary>
    public static long WindowPoints(double score) => (long)Math.Floor(score / WindowScale);

    /// <summary>Entries carry 6999999999999999 − seq in 16 digits (Scripts/member.lua, SEQ_TOP).</summary>
    public const long SequenceTop = 6_999_999_999_999_999;

    /// <summary>The board entry of a member who reached their score at commit sequence <paramref name="seq"/>.</summary>
    public static string Entry(long seq, string memberId) => (SequenceTop - seq).ToString("D16", System.Globalization.CultureInfo.InvariantCulture) + ":" + memberId;

    /// <summary>The member id of a board entry: what follows the first ':' ('&lt;sequence&gt;:&lt;memberId&gt;'), or the entry itself
    /// (the former encoding of day, week and month boards). Member ids never contain ':'.</summary>
    public static string MemberOf(string entry) => entry.IndexOf(':') is var colon and >= 0 ? entry[(colon + 1)..] : entry;
}
