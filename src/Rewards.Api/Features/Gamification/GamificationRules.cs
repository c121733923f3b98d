using System.Text.RegularExpressions;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Api.Features.Gamification;

// Tiers, badges, streaks and the velocity rule are parts of a program's settings (ProgramDefinition); the award and
// moderation scripts apply them (Scripts/gamification.lua), the member profile shows progress (MemberStore), and the
// ambassadors endpoint lives here too. See docs/gamification.md.

/// <summary>A tier reached at a lifetime-points threshold (Bronze, Silver, Gold...).</summary>
public sealed record Tier(string Name, long MinLifetimePoints);

/// <summary>A badge's condition: exactly one of a count of awarded activities of a type, lifetime points, or a streak.</summary>
public sealed record BadgeCondition(string? ActivityType = null, int? Count = null, long? LifetimePoints = null, int? StreakDays = null);

/// <summary>A one-time achievement.</summary>
public sealed record Badge(string Id, string Name, BadgeCondition When);

/// <summary>Anti-gaming: more than MaxPerMinute activities in a minute by one member are held for moderation and the member flagged.</summary>
public sealed record VelocityRule(int MaxPerMinute);

public sealed record TierRequest(string? Name, long? MinLifetimePoints);

public sealed record BadgeRequest(string? Id, string? Name, BadgeCondition? When);

public sealed record VelocityRequest(int? MaxPerMinute);

/// <summary>The bounds of a program's gamification settings and of the ambassadors query.</summary>
public static class GamificationLimits
{
    public const int MaxTiers = 20;
    public const int MaxTierNameLength = 40;
    public const int MaxBadges = 100;
    public const int MaxBadgeIdLength = 40;
    public const int MaxBadgeNameLength = 80;
    public const int MaxBadgeCount = 1_000_000;
    public const int MaxStreakDays = 3660;

    /// <summary>Lifetime-point thresholds stay far below long.MaxValue, so sums and comparisons in the scripts never overflow.</summary>
    public const long MaxLifetimePoints = long.MaxValue / 4;

    public const int MaxVelocityPerMinute = 10_000;

    public const int DefaultAmbassadorDays = 30;
    public const int MaxAmbassadorDays = 90;
    public const int DefaultAmbassadors = 20;
    public const int MaxAmbassadors = 100;
}

public static partial class GamificationRules
{
    /// <summary>Validates the tiers, badges and velocity rule of a program request; <paramref name="isActivityType"/> knows its valid rules.</summary>
    public static (Tier[] Tiers, Badge[] Badges, VelocityRule? Velocity) Validate(TierRequest[]? tierRequests, BadgeRequest[]? badgeRequests,
        VelocityRequest? velocity, Func<string, bool> isActivityType, Validation v)
    {
        const int maxTiers = GamificationLimits.MaxTiers, maxTierName = GamificationLimits.MaxTierNameLength;
        var tiers = tierRequests ?? [];
        v.Check(tiers.Length <= maxTiers, "tiers", $"At most {maxTiers} tiers.");
        v.Check(tiers.All(t => t is not null && Ids.IsPlainText(t.Name, maxTierName) && t.MinLifetimePoints is >= 0 and <= GamificationLimits.MaxLifetimePoints),
            "tiers", $"Each tier: a name (1–{maxTierName} characters) and minLifetimePoints ≥ 0.");
        v.Check(tiers.Where(t => t?.MinLifetimePoints is not null).Select(t => t.MinLifetimePoints!.Value).Zip(
            tiers.Where(t => t?.MinLifetimePoints is not null).Select(t => t.MinLifetimePoints!.Value).Skip(1)).All(p => p.First < p.Second), "tiers",
            "Tiers are ordered by strictly increasing minLifetimePoints.");
        v.Check(tiers.Select(t => t?.Name?.Trim()).Distinct().Count() == tiers.Length, "tiers", "Tier names are unique.");

        var badges = badgeRequests ?? [];
        v.Check(badges.Length <= GamificationLimits.MaxBadges, "badges", $"At most {GamificationLimits.MaxBadges} badges.");
        foreach (var (b, i) in badges.Select((b, i) => (b, i)))
        {
            var field = $"badges[{i}]";
            var when = b?.When;
            var kinds = when is null ? 0 : new object?[] { when.Count ?? (object?)when.ActivityType, when.LifetimePoints, when.StreakDays }.Count(x => x is not null);
            v.Check(b is not null && BadgeIdPattern().IsMatch(b.Id ?? ""), $"{field}.id",
                $"Required: 1–{GamificationLimits.MaxBadgeIdLength} characters of a–z, 0–9, '-'.");
            v.Check(b is not null && Ids.IsPlainText(b.Name, GamificationLimits.MaxBadgeNameLength), $"{field}.name",
                $"Required: 1–{GamificationLimits.MaxBadgeNameLength} characters of plain text.");
            v.Check(kinds == 1 && (when!.ActivityType is null) == (when.Count is null), $"{field}.when",
                "Exactly one of: { activityType, count }, { lifetimePoints }, { streakDays }.");
            v.Check(when?.ActivityType is null || isActivityType(when.ActivityType), $"{field}.when.activityType", "An activity type of the program.");
            v.Check(when?.Count is null or >= 1 and <= GamificationLimits.MaxBadgeCount, $"{field}.when.count", $"1 to {GamificationLimits.MaxBadgeCount:N0}.");
            v.Check(when?.LifetimePoints is null or >= 1 and <= GamificationLimits.MaxLifetimePoints, $"{field}.when.lifetimePoints", "1 or more.");
            v.Check(when?.StreakDays is null or >= 1 and <= GamificationLimits.MaxStreakDays, $"{field}.when.streakDays",
                $"1 to {GamificationLimits.MaxStreakDays:N0}.");
        }
        v.Check(badges.Select(b => b?.Id).Distinct().Count() == badges.Length, "badges", "Badge ids are unique.");
        v.Check(velocity is null || velocity.MaxPerMinute is >= 1 and <= GamificationLimits.MaxVelocityPerMinute, "velocity.maxPerMinute",
            $"1 to {GamificationLimits.MaxVelocityPerMinute:N0}.");

        return v.IsValid
            ? ([.. tiers.Select(t => new Tier(t.Name!.Trim(), t.MinLifetimePoints!.Value))],
                [.. badges.Select(b => new Badge(b.Id!, b.Name!.Trim(), b.When!))],
                velocity is { MaxPerMinute: { } max } ? new VelocityRule(max) : null)
            : ([], [], null);
    }

    // The length matches GamificationLimits.MaxBadgeIdLength (a regex quantifier cannot name a constant).
    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,39}\z")]
    private static partial Regex BadgeIdPattern();
}
