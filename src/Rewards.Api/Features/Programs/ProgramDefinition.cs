using Rewards.Api.Features.Gamification;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Errors;
using Rewards.Api.Infrastructure.Time;
using static Rewards.Api.Features.Programs.ProgramLimits;

namespace Rewards.Api.Features.Programs;

/// <summary>How one activity type earns points. Caps count awarded and pending activities per member per local day / ISO week.</summary>
public sealed record EarningRule(
    int Points,
    int? DailyCap = null,
    int? WeeklyCap = null,
    bool UniquePerTarget = false,
    int? CooldownSeconds = null,
    bool RequiresApproval = false);

/// <summary>A program's settings as stored (JSON in the program hash) and as returned.</summary>
public sealed record ProgramDefinition(string Id, string Name, string TimeZone, IReadOnlyDictionary<string, EarningRule> Rules,
    int LeaderboardRetention = ProgramLimits.DefaultLeaderboardRetention, IReadOnlyList<Tier>? Tiers = null, IReadOnlyList<Badge>? Badges = null,
    VelocityRule? Velocity = null, CorsSettings? Cors = null, IReadOnlyDictionary<string, DateTimeOffset>? RemovedTypes = null,
    string? PointsExpiry = null, RedemptionSettings? Redemptions = null, int? ExpiringNoticeDays = null)
{
    /// <summary>
    /// Whether <paramref name="board"/> can be read: 'points', an activity type, or a type removed from the rules whose boards are
    /// still within retention (its monthly board of the removal month is still kept). Removed types earn nothing.
    /// </summary>
    public bool HasBoard(string board, DateTimeOffset now, TimeZoneInfo zone) =>
        board == ProgramRules.PointsBoard || Rules.ContainsKey(board)
        || RemovedTypes?.TryGetValue(board, out var removedAt) == true && IsRetained(removedAt, now, zone);

    /// <summary>Every board that may hold entries: 'points', the activity types, and the removed types still retained.</summary>
    public IEnumerable<string> Boards(DateTimeOffset now, TimeZoneInfo zone) =>
        Rules.Keys.Concat((RemovedTypes ?? new Dictionary<string, DateTimeOffset>()).Where(r => IsRetained(r.Value, now, zone)).Select(r => r.Key))
            .Prepend(ProgramRules.PointsBoard);

    /// <summary>A removal is retained while the month it happened in is among the kept monthly periods.</summary>
    private bool IsRetained(DateTimeOffset removedAt, DateTimeOffset now, TimeZoneInfo zone) =>
        removedAt >= Leaderboards.LeaderboardWindow.Current(Leaderboards.WindowKind.Month, now, zone).Previous(zone, LeaderboardRetention).Start;

    /// <summary>
    /// The removed types after replacing this definition's rules by <paramref name="next"/>'s at <paramref name="now"/>: types
    /// dropped now are added with the time, types added back leave the list, removals past retention are forgotten.
    /// </summary>
    public Dictionary<string, DateTimeOffset> RemovedTypesAfter(ProgramDefinition next, DateTimeOffset now, TimeZoneInfo zone)
    {
        var removed = new SortedDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var (type, at) in RemovedTypes ?? new Dictionary<string, DateTimeOffset>())
        {
            removed[type] = at;
        }
        foreach (var type in Rules.Keys.Where(t => !next.Rules.ContainsKey(t)))
        {
            removed[type] = now;
        }
        return removed.Where(r => !next.Rules.ContainsKey(r.Key) && next.IsRetained(r.Value, now, zone))
            .ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
    }

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
/// <param name="PointsExpiry">When points expire: 'none' (default), a rolling period after earning ('P12M') or 'endOf:year+1'-style (docs/points-expiry.md).</param>
/// <param name="ExpiringNoticeDays">How many days before points expire the 'points.expiring' event announces them: 1 to 90; 0 or absent: no such event.</param>
public sealed record ProgramRequest(string? Id, string? Name, string? TimeZone, Dictionary<string, EarningRuleRequest?>? Rules,
    int? LeaderboardRetention = null, TierRequest[]? Tiers = null, BadgeRequest[]? Badges = null, VelocityRequest? Velocity = null,
    CorsRequest? Cors = null, string? PointsExpiry = null, RedemptionSettingsRequest? Redemptions = null, int? ExpiringNoticeDays = null);

/// <summary>
/// How members spend: whether a member token may redeem (confirm, cancel) for its own member (default no: only brand clients),
/// and how long a hold lasts unless the request asks for less.
/// </summary>
public sealed record RedemptionSettings(bool MembersMayRedeem = false, int HoldMinutes = RedemptionSettings.DefaultHoldMinutes)
{
    public const int DefaultHoldMinutes = 15;
}

public sealed record RedemptionSettingsRequest(bool? MembersMayRedeem, int? HoldMinutes);

public sealed record EarningRuleRequest(
    int? Points,
    int? DailyCap,
    int? WeeklyCap,
    bool? UniquePerTarget,
    int? CooldownSeconds,
    bool? RequiresApproval);

/// <summary>The bounds of a program's settings (tiers, badges and velocity: <see cref="GamificationLimits"/>).</summary>
public static class ProgramLimits
{
    public const int MaxPoints = 1_000_000;
    public const int MaxCap = 1_000_000;
    public const int MaxCooldownSeconds = 366 * 24 * 3600;
    public const int MaxRules = 64;
    public const int MaxNameLength = 100;

    /// <summary>Past periods of each leaderboard window kept queryable (12 days, 12 weeks, 12 months by default).</summary>
    public const int DefaultLeaderboardRetention = 12;
    public const int MaxLeaderboardRetention = 120;

    /// <summary>The longest notice of the 'points.expiring' event (docs/points-expiry.md, "Expiring soon").</summary>
    public const int MaxExpiringNoticeDays = 90;
}

public static class ProgramRules
{
    /// <summary>The board of all points; no activity type may take its name.</summary>
    public const string PointsBoard = "points";

    /// <summary>Validates a request into a definition; <paramref name="routeId"/> is the id from the URL on updates.</summary>
    public static (ProgramDefinition? Definition, Validation Errors) Validate(ProgramRequest request, string? routeId)
    {
        var v = new Validation();
        var id = routeId ?? request.Id;
        if (routeId is null)
        {
            v.Expect(request.Id, Ids.IsValidId(request.Id), "id", $"{Ids.IdRule}.");
        }
        else
        {
            v.Check(request.Id is null || request.Id == routeId, "id", "Must be omitted or equal the program id of the URL.");
        }
        v.Expect(request.Name, Ids.IsPlainText(request.Name, MaxNameLength), "name", $"1–{MaxNameLength} characters of plain text.");
        var timeZone = ProgramTime.CanonicalZoneId(request.TimeZone);
        v.Check(timeZone is not null, "timeZone", ProgramTime.ZoneMessage(request.TimeZone));

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
                v.Expect(rule.Points, rule.Points is >= 1 and <= MaxPoints, $"{field}.points", $"1 to {MaxPoints:N0}.");
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

        var (tiers, badges, velocity) = GamificationRules.Validate(request.Tiers, request.Badges, request.Velocity, rules.ContainsKey, v);
        var cors = ProgramCors.Validate(request.Cors, v);
        var expiry = Lots.PointsExpiryPolicy.NoExpiry;
        v.Check(request.PointsExpiry is null || Lots.PointsExpiryPolicy.TryParse(request.PointsExpiry, out expiry), "pointsExpiry",
            $"When given: {Lots.PointsExpiryPolicy.Rule}");
        v.Check(request.ExpiringNoticeDays is null or >= 0 and <= MaxExpiringNoticeDays, "expiringNoticeDays",
            $"When given: 0 (off) or 1 to {MaxExpiringNoticeDays} days: how long before points expire the 'points.expiring' event announces them.");

        v.Check(request.Redemptions?.HoldMinutes is null or >= 1 and <= Catalogue.RewardLimits.MaxHoldMinutes, "redemptions.holdMinutes",
            $"When given: 1 to {Catalogue.RewardLimits.MaxHoldMinutes:N0} minutes.");
        var redemptions = request.Redemptions is { } r
            ? new RedemptionSettings(r.MembersMayRedeem ?? false, r.HoldMinutes ?? RedemptionSettings.DefaultHoldMinutes)
            : null;

        return v.IsValid
            ? (new ProgramDefinition(id!, request.Name!.Trim(), timeZone!, rules, request.LeaderboardRetention ?? DefaultLeaderboardRetention,
                tiers, badges, velocity, cors, PointsExpiry: expiry.IsNone ? null : expiry.Text, Redemptions: redemptions,
                ExpiringNoticeDays: request.ExpiringNoticeDays is > 0 ? request.ExpiringNoticeDays : null), v)
            : (null, v);
    }

}
