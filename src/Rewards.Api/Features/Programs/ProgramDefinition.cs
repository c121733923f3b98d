using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Errors;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Programs;

/// <summary>How one activity type earns points. Caps count awarded and pending activities per member per local day / ISO week.</summary>
public sealed record EarningRule(
    int Points,
    int? DailyCap = null,
    int? WeeklyCap = null,
    bool UniquePerTarget = false,
    int? CooldownSeconds = null,
    bool RequiresApproval = false);

/// <summary>A tier reached at a lifetime-points threshold (Bronze, Silver, Gold...).</summary>
public sealed record Tier(string Name, long MinLifetimePoints);

/// <summary>A badge's condition: exactly one of a count of awarded activities of a type, lifetime points, or a streak.</summary>
public sealed record BadgeCondition(string? ActivityType = null, int? Count = null, long? LifetimePoints = null, int? StreakDays = null);

/// <summary>A one-time achievement.</summary>
public sealed record Badge(string Id, string Name, BadgeCondition When);

/// <summary>Anti-gaming: more than MaxPerMinute activities in a minute by one member are held for moderation and the member flagged.</summary>
public sealed record VelocityRule(int MaxPerMinute);

/// <summary>A program's settings as stored (JSON in the program hash) and as returned.</summary>
public sealed record ProgramDefinition(string Id, string Name, string TimeZone, IReadOnlyDictionary<string, EarningRule> Rules,
    int LeaderboardRetention = ProgramRules.DefaultLeaderboardRetention, IReadOnlyList<Tier>? Tiers = null, IReadOnlyList<Badge>? Badges = null,
    VelocityRule? Velocity = null)
{
    /// <summary>Tier thresholds for the award script: "0,500,2000" (ascending).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string TierThresholds => string.Join(',', (Tiers ?? []).Select(t => t.MinLifetimePoints));

    /// <summary>Badges for the award script: "id:c:type:count;id:l::points;id:s::days".</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string BadgeRules => string.Join(';', (Badges ?? []).Select(b => b.When switch
    {
        { ActivityType: { } type, Count: { } count } => $"{b.Id}:c:{type}:{count}",
        { LifetimePoints: { } points } => $"{b.Id}:l::{points}",
        { StreakDays: { } days } => $"{b.Id}:s::{days}",
        _ => "",
    }));

    /// <summary>The tier of a lifetime total: the last whose threshold it reaches (null below the first).</summary>
    public Tier? TierOf(long lifetime) => (Tiers ?? []).LastOrDefault(t => lifetime >= t.MinLifetimePoints);
}

/// <summary>Body of POST /v1/programs and PUT /v1/programs/{programId}. Fields are nullable so that missing ones are reported.</summary>
public sealed record ProgramRequest(string? Id, string? Name, string? TimeZone, Dictionary<string, EarningRuleRequest?>? Rules,
    int? LeaderboardRetention = null, TierRequest[]? Tiers = null, BadgeRequest[]? Badges = null, VelocityRequest? Velocity = null);

public sealed record TierRequest(string? Name, long? MinLifetimePoints);

public sealed record BadgeRequest(string? Id, string? Name, BadgeCondition? When);

public sealed record VelocityRequest(int? MaxPerMinute);

public sealed record EarningRuleRequest(
    int? Points,
    int? DailyCap,
    int? WeeklyCap,
    bool? UniquePerTarget,
    int? CooldownSeconds,
    bool? RequiresApproval);

public static partial class ProgramRules
{
    public const int MaxPoints = 1_000_000;
    public const int MaxCap = 1_000_000;
    public const int MaxCooldownSeconds = 366 * 24 * 3600;
    public const int MaxRules = 64;
    public const int MaxNameLength = 100;

    /// <summary>Past periods of each leaderboard window kept queryable (12 days, 12 weeks, 12 months by default).</summary>
    public const int DefaultLeaderboardRetention = 12;
    public const int MaxLeaderboardRetention = 120;

    /// <summary>The board of all points; no activity type may take its name.</summary>
    public const string PointsBoard = "points";

    /// <summary>Validates a request into a definition; <paramref name="routeId"/> is the id from the URL on updates.</summary>
    public static (ProgramDefinition? Definition, Validation Errors) Validate(ProgramRequest request, string? routeId)
    {
        var v = new Validation();
        var id = routeId ?? request.Id;
        if (routeId is null)
        {
            v.Check(Ids.IsValidId(request.Id), "id", $"Required: {Ids.IdRule}.");
        }
        else
        {
            v.Check(request.Id is null || request.Id == routeId, "id", "Must be omitted or equal the program id of the URL.");
        }
        v.Check(Ids.IsPlainText(request.Name, MaxNameLength), "name", $"Required: 1–{MaxNameLength} characters of plain text.");
        v.Check(ProgramTime.TryFindZone(request.TimeZone, out _), "timeZone", "Required: an IANA time zone id such as 'Europe/Paris'.");

        var rules = new SortedDictionary<string, EarningRule>(StringComparer.Ordinal);
        if (request.Rules is null)
        {
            v.Add("rules", "Required: an object of earning rules by activity type (it may be empty).");
        }
        else if (request.Rules.Count > MaxRules)
        {
            v.Add("rules", $"At most {MaxRules} activity types.");
        }
        else
        {
            foreach (var (type, rule) in request.Rules)
            {
                var field = $"rules.{type}";
                if (type == PointsBoard)
                {
                    v.Add("rules", $"'{PointsBoard}' is reserved for the board of all points; name the activity type otherwise.");
                    continue;
                }
                if (!Ids.IsValidActivityType(type))
                {
                    v.Add("rules", $"'{Problems.Excerpt(type)}' is not a valid activity type: 1–32 characters of a–z, 0–9, '_' or '-', starting with a letter.");
                    continue;
                }
                if (rule is null)
                {
                    v.Add(field, "Must be an object.");
                    continue;
                }
                v.Check(rule.Points is >= 1 and <= MaxPoints, $"{field}.points", $"Required: 1 to {MaxPoints:N0}.");
                v.Check(rule.DailyCap is null or >= 1 and <= MaxCap, $"{field}.dailyCap", $"When given: 1 to {MaxCap:N0}.");
                v.Check(rule.WeeklyCap is null or >= 1 and <= MaxCap, $"{field}.weeklyCap", $"When given: 1 to {MaxCap:N0}.");
                v.Check(rule.CooldownSeconds is null or >= 1 and <= MaxCooldownSeconds, $"{field}.cooldownSeconds",
                    $"When given: 1 to {MaxCooldownSeconds:N0} seconds.");
                if (rule.Points is { } points)
                {
                    rules[type] = new EarningRule(points, rule.DailyCap, rule.WeeklyCap, rule.UniquePerTarget ?? false,
                        rule.CooldownSeconds, rule.RequiresApproval ?? false);
                }
            }
        }

        v.Check(request.LeaderboardRetention is null or >= 1 and <= MaxLeaderboardRetention, "leaderboardRetention",
            $"When given: 1 to {MaxLeaderboardRetention} past periods of each window.");

        var tiers = request.Tiers ?? [];
        v.Check(tiers.Length <= 20, "tiers", "At most 20 tiers.");
        v.Check(tiers.All(t => t is not null && Ids.IsPlainText(t.Name, 40) && t.MinLifetimePoints is >= 0 and <= long.MaxValue / 4), "tiers",
            "Each tier: a name (1–40 characters) and minLifetimePoints ≥ 0.");
        v.Check(tiers.Where(t => t?.MinLifetimePoints is not null).Select(t => t.MinLifetimePoints!.Value).Zip(
            tiers.Where(t => t?.MinLifetimePoints is not null).Select(t => t.MinLifetimePoints!.Value).Skip(1)).All(p => p.First < p.Second), "tiers",
            "Tiers are ordered by strictly increasing minLifetimePoints.");
        v.Check(tiers.Select(t => t?.Name?.Trim()).Distinct().Count() == tiers.Length, "tiers", "Tier names are unique.");

        var badges = request.Badges ?? [];
        v.Check(badges.Length <= 100, "badges", "At most 100 badges.");
        foreach (var (b, i) in badges.Select((b, i) => (b, i)))
        {
            var field = $"badges[{i}]";
            var when = b?.When;
            var kinds = when is null ? 0 : new object?[] { when.Count ?? (object?)when.ActivityType, when.LifetimePoints, when.StreakDays }.Count(x => x is not null);
            v.Check(b is not null && BadgeIdPattern().IsMatch(b.Id ?? ""), $"{field}.id", "Required: 1–40 characters of a–z, 0–9, '-'.");
            v.Check(b is not null && Ids.IsPlainText(b.Name, 80), $"{field}.name", "Required: 1–80 characters of plain text.");
            v.Check(kinds == 1 && (when!.ActivityType is null) == (when.Count is null), $"{field}.when",
                "Exactly one of: { activityType, count }, { lifetimePoints }, { streakDays }.");
            v.Check(when?.ActivityType is null || rules.ContainsKey(when.ActivityType), $"{field}.when.activityType", "An activity type of the program.");
            v.Check(when?.Count is null or >= 1 and <= 1_000_000, $"{field}.when.count", "1 to 1,000,000.");
            v.Check(when?.LifetimePoints is null or >= 1 and <= long.MaxValue / 4, $"{field}.when.lifetimePoints", "1 or more.");
            v.Check(when?.StreakDays is null or >= 1 and <= 3660, $"{field}.when.streakDays", "1 to 3,660.");
        }
        v.Check(badges.Select(b => b?.Id).Distinct().Count() == badges.Length, "badges", "Badge ids are unique.");
        v.Check(request.Velocity is null || request.Velocity.MaxPerMinute is >= 1 and <= 10_000, "velocity.maxPerMinute", "1 to 10,000.");

        return v.IsValid
            ? (new ProgramDefinition(id!, request.Name!.Trim(), request.TimeZone!, rules, request.LeaderboardRetention ?? DefaultLeaderboardRetention,
                [.. tiers.Select(t => new Tier(t.Name!.Trim(), t.MinLifetimePoints!.Value))],
                [.. badges.Select(b => new Badge(b.Id!, b.Name!.Trim(), b.When!))],
                request.Velocity is { MaxPerMinute: { } max } ? new VelocityRule(max) : null), v)
            : (null, v);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,39}\z")]
    private static partial System.Text.RegularExpressions.Regex BadgeIdPattern();
}
