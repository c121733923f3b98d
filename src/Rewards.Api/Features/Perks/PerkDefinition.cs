using System.Text.RegularExpressions;
using Cronos;
using Rewards.Api.Features.Leaderboards;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Errors;
using Rewards.Api.Infrastructure.Time;
using static Rewards.Api.Features.Perks.PerkLimits;

namespace Rewards.Api.Features.Perks;

public sealed record OfferSettings(DateTimeOffset? ExpiresAt);

public sealed record EventSettings(string Venue, DateTimeOffset StartsAt, int Capacity);

public sealed record NewsSettings(IReadOnlyDictionary<string, string> Body, DateTimeOffset EarlyAt, DateTimeOffset PublicAt);

/// <summary>Who receives a perk: all active members, a list, a lifetime-points floor, or the top N of a board window.</summary>
public sealed record Audience(AudienceType Type, IReadOnlyList<string>? MemberIds = null, long? Points = null, string? Board = null,
    WindowKind? Window = null, AudiencePeriod? Period = null, int? Count = null, string? Tier = null, string? Badge = null);

/// <summary>When grants run: now, at an instant, or on a cron in a time zone (a Hangfire recurring job).</summary>
public sealed record Schedule(ScheduleType Type, DateTimeOffset? At = null, string? Cron = null, string? TimeZone = null);

/// <summary>A perk as stored and returned (without the code pool, which lives in its own list).</summary>
public sealed record PerkDefinition(string PerkId, PerkKind Kind, string Title, string? Description, OfferSettings? Offer,
    EventSettings? Event, NewsSettings? News, Audience Audience, Schedule Schedule, DateTimeOffset CreatedAt);

public sealed record OfferRequest(string[]? Codes, int? GenerateCodes, DateTimeOffset? ExpiresAt);

public sealed record EventRequest(string? Venue, DateTimeOffset? StartsAt, int? Capacity);

public sealed record NewsRequest(Dictionary<string, string?>? Body, DateTimeOffset? EarlyAt, DateTimeOffset? PublicAt);

public sealed record AudienceRequest([property: WireValues(typeof(AudienceType))] string? Type, string[]? MemberIds, long? Points, string? Board,
    [property: WireValues(typeof(WindowKind))] string? Window, [property: WireValues(typeof(AudiencePeriod))] string? Period, int? Count,
    string? Tier = null, string? Badge = null);

public sealed record ScheduleRequest([property: WireValues(typeof(ScheduleType))] string? Type, DateTimeOffset? At, string? Cron, string? TimeZone);

public sealed record CreatePerkRequest([property: WireValues(typeof(PerkKind))] string? Kind, string? Title, string? Description, OfferRequest? Offer, EventRequest? Event,
    NewsRequest? News, AudienceRequest? Audience, ScheduleRequest? Schedule);

/// <summary>The bounds of a perk.</summary>
public static class PerkLimits
{
    public const int MaxTitle = 120;
    public const int MaxDescription = 2000;
    public const int MaxBody = 10_000;
    public const int MaxBodyLocales = 50;
    public const int MaxVenue = 200;
    public const int MaxCodesPerRequest = 10_000;
    public const int MaxGeneratedCodes = 100_000;
    public const int MaxCodeLength = 64;
    public const int MaxListedMembers = 10_000;
    public const int MaxTopCount = 1_000;
    public const int MaxCapacity = 1_000_000;
    public const int MaxCronLength = 100;

    /// <summary>The highest lifetime-points floor of an audience: far from long.MaxValue, so the grant script's comparisons stay exact.</summary>
    public const long MaxAudiencePoints = long.MaxValue / 2;
}

public static partial class PerkRules
{
    public static bool IsValidCode(string? code) => code is not null && CodePattern().IsMatch(code);

    public static (PerkDefinition? Perk, string[] Codes, Validation Errors) Validate(CreatePerkRequest r, ProgramSnapshot program, DateTimeOffset now)
    {
        var v = new Validation();
        var known = WireCode<PerkKind>.TryParse(r.Kind, out var kind);
        v.Check(known, "kind", $"One of {string.Join(", ", WireCode<PerkKind>.Wires)}.");
        v.Check(Ids.IsPlainText(r.Title, MaxTitle), "title", $"Required: 1–{MaxTitle} characters of plain text.");
        v.Check(r.Description is null || Ids.IsPlainText(r.Description, MaxDescription), "description", $"When given: 1–{MaxDescription} characters of plain text.");
        bool Is(PerkKind k) => known && kind == k;
        v.Check(!Is(PerkKind.Offer) || r.Offer is not null, "offer", "Required for an offer.");
        v.Check(!Is(PerkKind.Event) || r.Event is not null, "event", "Required for an event.");
        v.Check(!Is(PerkKind.News) || r.News is not null, "news", "Required for news.");
        v.Check(Is(PerkKind.Offer) || r.Offer is null, "offer", "Only for kind offer.");
        v.Check(Is(PerkKind.Event) || r.Event is null, "event", "Only for kind event.");
        v.Check(Is(PerkKind.News) || r.News is null, "news", "Only for kind news.");

        string[] codes = [];
        OfferSettings? offer = null;
        if (Is(PerkKind.Offer) && r.Offer is { } o)
        {
            codes = o.Codes ?? [];
            v.Check(codes.Length <= MaxCodesPerRequest && codes.All(IsValidCode), "offer.codes",
                $"At most {MaxCodesPerRequest:N0} codes of 1–{MaxCodeLength} characters of A–Z, a–z, 0–9, '-', '_', '.'.");
            v.Check(codes.Distinct(StringComparer.Ordinal).Count() == codes.Length, "offer.codes", "Codes must be unique; repeated: " +
                string.Join(", ", codes.GroupBy(c => c, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).Take(100)) + ".");
            v.Check(o.GenerateCodes is null or >= 1 and <= MaxGeneratedCodes, "offer.generateCodes", $"When given: 1 to {MaxGeneratedCodes:N0}.");
            // An offer expired from the start would reach inboxes as expired, its codes never claimable.
            v.Check(o.ExpiresAt is null || o.ExpiresAt > now, "offer.expiresAt", "When given: a future instant.");
            if (o.GenerateCodes is { } n and >= 1 and <= MaxGeneratedCodes)
            {
                codes = [.. codes, .. GenerateCodes(n)];
            }
            offer = new OfferSettings(o.ExpiresAt);
        }

        EventSettings? evt = null;
        if (Is(PerkKind.Event) && r.Event is { } e)
        {
            v.Check(Ids.IsPlainText(e.Venue, MaxVenue), "event.venue", $"Required: 1–{MaxVenue} characters of plain text.");
            v.Check(e.StartsAt > now, "event.startsAt", "Required: a future instant (no invitations to past events).");
            v.Check(e.Capacity is >= 1 and <= MaxCapacity, "event.capacity", $"Required: 1 to {MaxCapacity:N0}.");
            if (v.IsValid)
            {
                evt = new EventSettings(e.Venue!.Trim(), e.StartsAt!.Value, e.Capacity!.Value);
            }
        }

        NewsSettings? news = null;
        if (Is(PerkKind.News) && r.News is { } n2)
        {
            var body = n2.Body ?? [];
            v.Check(body.TryGetValue("default", out var d) && d is not null, "news.body", "Required: a 'default' text, and optional texts per BCP 47 locale.");
            v.Check(body.Count <= MaxBodyLocales && body.All(b => (b.Key == "default" || Ids.IsValidLocale(b.Key)) && b.Value is { Length: >= 1 and <= MaxBody } text
                && !string.IsNullOrWhiteSpace(text) && !text.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t')), "news.body",
                $"Keys: 'default' or BCP 47 locales, at most {MaxBodyLocales} in all; texts of 1–{MaxBody:N0} characters, not blank, without control characters (line breaks allowed).");
            v.Check(n2.EarlyAt is not null && n2.PublicAt is not null && n2.EarlyAt <= n2.PublicAt, "news", "earlyAt and publicAt are required, earlyAt ≤ publicAt.");
            if (v.IsValid)
            {
                news = new NewsSettings(body.ToDictionary(b => b.Key, b => b.Value!), n2.EarlyAt!.Value, n2.PublicAt!.Value);
            }
        }

        var audience = ValidateAudience(r.Audience, program, v);
        var schedule = ValidateSchedule(r.Schedule, v);
        if (!v.IsValid)
        {
            return (null, [], v);
        }
        var perk = new PerkDefinition(Ids.NewId(), kind, r.Title!.Trim(), r.Description?.Trim(), offer, evt, news, audience!, schedule!, now);
        return (perk, codes, v);
    }

    private static Audience? ValidateAudience(AudienceRequest? a, ProgramSnapshot program, Validation v)
    {
        if (!WireCode<AudienceType>.TryParse(a?.Type, out var type))
        {
            v.Add("audience.type", $"Required: {WireCode<AudienceType>.List()}.");
            return null;
        }
        return type switch
        {
            AudienceType.All => new Audience(AudienceType.All),
            AudienceType.Members => v.Check(a!.MemberIds is { Length: >= 1 and <= MaxListedMembers } ids && ids.All(Ids.IsValidId), "audience.memberIds",
                    $"Required: 1 to {MaxListedMembers:N0} member ids.")
                .Then(new Audience(AudienceType.Members, MemberIds: a.MemberIds?.Distinct().ToArray())),
            AudienceType.MinLifetimePoints => v.Check(a!.Points is >= 0 and <= MaxAudiencePoints, "audience.points", "Required: 0 or more.")
                .Then(new Audience(AudienceType.MinLifetimePoints, Points: a.Points)),
            AudienceType.Top => v
                .Check(a!.Board == ProgramRules.PointsBoard || (a.Board is not null && program.Definition.Rules.ContainsKey(a.Board)), "audience.board",
                    "Required: 'points' or an activity type of the program.")
                .Check(WireCode<WindowKind>.TryParse(a.Window, out var window), "audience.window", $"Required: {WireCode<WindowKind>.List()}.")
                .Check(WireCode<AudiencePeriod>.TryParse(a.Period, out var period) && !(period == AudiencePeriod.Last && a.Window == WindowKind.All.ToWire()),
                    "audience.period", "Required: current or last (last is for day, week and month).")
                .Check(a.Count is >= 1 and <= MaxTopCount, "audience.count", $"Required: 1 to {MaxTopCount}.")
                .Then(new Audience(AudienceType.Top, Board: a.Board, Window: window, Period: period, Count: a.Count)),
            AudienceType.MinTier => v.Check(program.Definition.Tiers?.Any(t => t.Name == a!.Tier) == true, "audience.tier",
                    "Required: the name of one of the program's tiers.")
                .Then(new Audience(AudienceType.MinTier, Tier: a!.Tier)),
            AudienceType.Badge => v.Check(program.Definition.Badges?.Any(b => b.Id == a!.Badge) == true, "audience.badge",
                    "Required: the id of one of the program's badges.")
                .Then(new Audience(AudienceType.Badge, Badge: a!.Badge)),
        };
    }

    private static Schedule? ValidateSchedule(ScheduleRequest? s, Validation v)
    {
        if (!WireCode<ScheduleType>.TryParse(s?.Type, out var type))
        {
            v.Add("schedule.type", $"Required: {WireCode<ScheduleType>.List()}.");
            return null;
        }
        return type switch
        {
            ScheduleType.Now => new Schedule(ScheduleType.Now),
            ScheduleType.At => v.Check(s!.At is not null, "schedule.at", "Required: an instant.").Then(new Schedule(ScheduleType.At, At: s.At)),
            ScheduleType.Cron => v
                .Check(TryParseCron(s!.Cron, out _), "schedule.cron", "Required: a 5-field cron expression such as '0 9 * * MON'.")
                .Check(ProgramTime.TryFindZone(s.TimeZone, out _), "schedule.timeZone", "Required: an IANA time zone id.")
                .Then(new Schedule(ScheduleType.Cron, Cron: s.Cron, TimeZone: s.TimeZone)),
        };
    }

    public static bool TryParseCron(string? expression, out CronExpression cron)
    {
        cron = null!;
        if (string.IsNullOrWhiteSpace(expression) || expression.Length > MaxCronLength)
        {
            return false;
        }
        try
        {
            cron = CronExpression.Parse(expression, CronFormat.Standard);
            return true;
        }
        catch (CronFormatException)
        {
            return false;
        }
    }

    /// <summary>The next time a perk's schedule runs, if any.</summary>
    public static DateTimeOffset? NextRun(PerkDefinition perk, PerkStatus status, DateTimeOffset now) => status != PerkStatus.Active ? null : perk.Schedule.Type switch
    {
        ScheduleType.Cron => TryParseCron(perk.Schedule.Cron, out var cron) && ProgramTime.TryFindZone(perk.Schedule.TimeZone, out var zone)
            ? cron.GetNextOccurrence(now, zone) : null,
        ScheduleType.At => perk.Schedule.At > now ? perk.Schedule.At : null,
        ScheduleType.Now => null,
    };

    private static IEnumerable<string> GenerateCodes(int count)
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (seen.Count < count)
        {
            var bytes = System.Security.Cryptography.RandomNumberGenerator.GetBytes(10);
            var code = "RW-" + new string(bytes.Select(b => alphabet[b % alphabet.Length]).ToArray()).Insert(5, "-");
            seen.Add(code);
        }
        return seen;
    }

    // The length matches PerkLimits.MaxCodeLength (a regex quantifier cannot name a constant).
    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}\z")]
    private static partial Regex CodePattern();
}
