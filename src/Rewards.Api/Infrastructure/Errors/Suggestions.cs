namespace Rewards.Api.Infrastructure.Errors;

/// <summary>"Did you mean ...?": the known name nearest to a mistyped one.</summary>
public static class Suggestions
{
    /// <summary>
    /// The candidate equal to <paramref name="given"/> ignoring case, else the one with the smallest edit distance (at most
    /// <paramref name="maxDistance"/>, case-insensitive), else one that <paramref name="given"/> starts or is the start of;
    /// null when nothing is close.
    /// </summary>
    public static string? Closest(string given, IEnumerable<string> candidates, int maxDistance = 2)
    {
        if (string.IsNullOrEmpty(given))
        {
            return null;
        }
        var list = candidates as IReadOnlyCollection<string> ?? candidates.ToList();
        if (list.FirstOrDefault(c => string.Equals(c, given, StringComparison.OrdinalIgnoreCase)) is { } same)
        {
            return same;
        }
        var lower = given.ToLowerInvariant();
        string? best = null;
        var bestDistance = maxDistance + 1;
        foreach (var candidate in list)
        {
            var distance = Distance(lower, candidate.ToLowerInvariant(), bestDistance);
            if (distance < bestDistance || (distance == bestDistance && best is not null && string.CompareOrdinal(candidate, best) < 0))
            {
                (best, bestDistance) = (candidate, distance);
            }
        }
        if (best is not null && bestDistance <= maxDistance)
        {
            return best;
        }
        return given.Length >= 3
            ? list.Where(c => c.StartsWith(given, StringComparison.OrdinalIgnoreCase) || given.StartsWith(c, StringComparison.OrdinalIgnoreCase))
                .OrderBy(c => Math.Abs(c.Length - given.Length)).ThenBy(c => c, StringComparer.Ordinal).FirstOrDefault()
            : null;
    }

    /// <summary>Levenshtein distance, cut short once it exceeds <paramref name="limit"/> (then any value above it).</summary>
    public static int Distance(string a, string b, int limit = int.MaxValue)
    {
        if (Math.Abs(a.Length - b.Length) > limit)
        {
            return limit + 1;
        }
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMin = current[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                rowMin = Math.Min(rowMin, current[j]);
            }
            if (rowMin > limit)
            {
                return limit + 1;
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
