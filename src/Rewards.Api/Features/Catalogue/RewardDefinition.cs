using System.Security.Cryptography;
using Rewards.Api.Features.Perks;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Errors;
using static Rewards.Api.Features.Catalogue.RewardLimits;

namespace Rewards.Api.Features.Catalogue;

/// <summary>A per-member limit: at most <c>Count</c> units per local <c>Per</c> period (or ever).</summary>
public sealed record RewardLimit(int Count, LimitPeriod Per);

/// <summary>Who may redeem: members in <c>MinTier</c> or above, holders of <c>Badge</c> (both when both are set).</summary>
public sealed record RewardAudience(string? MinTier, string? Badge);

/// <summary>A catalogue reward as stored and shown. Title and description are localized like news: 'default' and BCP 47 locales.</summary>
public sealed record RewardDefinition(string RewardId, RewardKind Kind, IReadOnlyDictionary<string, string> Title,
    IReadOnlyDictionary<string, string>? Description, long CostPoints, long? Stock, RewardLimit? Limit, DateTimeOffset? AvailableFrom,
    DateTimeOffset? AvailableUntil, RewardAudience? Audience, bool Active, string? PerkId, DateTimeOffset CreatedAt);

public sealed record RewardLimitRequest(int? Count, [property: WireValues(typeof(LimitPeriod))] string? Per);

public sealed record RewardAudienceRequest(string? MinTier, string? Badge);

/// <summary>
/// Body of POST .../rewards. `stock` is the units left (absent: unlimited; a code reward's stock is its pool); `codes` and
/// `generateCodes` fill a code reward's pool.
/// </summary>
public sealed record CreateRewardRequest([property: WireValues(typeof(RewardKind))] string? Kind, Dictionary<string, string?>? Title,
    Dictionary<string, string?>? Description, long? CostPoints, long? Stock = null, RewardLimitRequest? Limit = null,
    DateTimeOffset? AvailableFrom = null, DateTimeOffset? AvailableUntil = null, RewardAudienceRequest? Audience = null, bool? Active = null,
    string? PerkId = null, string[]? Codes = null, int? GenerateCodes = null);

/// <summary>The bounds of a reward and a redemption.</summary>
public static class RewardLimits
{
    public const int MaxTitle = 120;
    public const int MaxDescription = 2000;
    public const int MaxLocales = 50;
    public const long MaxCost = 100_000_000;
    public const long MaxStock = 100_000_000;
    public const int MaxLimitCount = 1_000;
    public const int MaxQuantity = 100;
    public const int MaxGeneratedCodes = 100_000;

    /// <summary>A hold lasts the program's `redemptions.holdMinutes` unless the request asks for less; never more than this.</summary>
    public const int MaxHoldMinutes = 7 * 24 * 60;
}

public static class RewardRules
{
    /// <summary>Unambiguous voucher characters: no O/0, no I/1 (nor L, which reads as 1 in some fonts).</summary>
    public const string VoucherAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    /// <summary>A voucher: "RV-" and 12 characters of <see cref="VoucherAlphabet"/> in groups of 4 (about 59 bits), from a CSPRNG.</summary>
    public static string NewVoucher()
    {
        Span<char> chars = stackalloc char[12];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = VoucherAlphabet[RandomNumberGenerator.GetInt32(VoucherAlphabet.Length)];
        }
        return $"RV-{chars[..4]}-{chars[4..8]}-{chars[8..]}";
    }

    /// <summary>
    /// Validates a creation (or a patched definition, with <paramref name="existing"/>: the kind and id are kept); answers the
    /// definition and the codes to add to the pool.
    /// </summary>
    public static (RewardDefinition? Reward, string[] Codes, Validation Errors) Validate(CreateRewardRequest r, ProgramSnapshot program,
        IReadOnlyDictionary<string, PerkKind> perks, DateTimeOffset now, RewardDefinition? existing = null)
    {
        var v = new Validation();
        var known = WireCode<RewardKind>.TryParse(r.Kind, out var kind);
        if (existing is not null)
        {
            v.Check(known && kind == existing.Kind, "kind", $"A reward's kind cannot change (it is {existing.Kind.ToWire()}).");
        }
        else
        {
            v.Expect(r.Kind, known, "kind", $"{WireCode<RewardKind>.List()}.");
        }
        var title = Localized(r.Title, "title", MaxTitle, required: true, v);
        var description = Localized(r.Description, "description", MaxDescription, required: false, v);
        v.Expect(r.CostPoints, r.CostPoints is >= 1 and <= MaxCost, "costPoints", $"1 to {MaxCost:N0} points.");
        v.Check(r.Stock is null or >= 0 and <= MaxStock, "stock", $"When given: 0 to {MaxStock:N0} units left (leave it out for unlimited).");
        v.Check(!(known && kind == RewardKind.Code) || r.Stock is null, "stock", "A code reward's stock is its pool of codes: leave `stock` out.");
        RewardLimit? limit = null;
        if (r.Limit is { } l)
        {
            v.Expect(l.Count, l.Count is >= 1 and <= MaxLimitCount, "limit.count", $"1 to {MaxLimitCount:N0} units per member and period.");
            var period = LimitPeriod.Ever;
            v.Check(l.Per is null || WireCode<LimitPeriod>.TryParse(l.Per, out period), "limit.per", $"When given: {WireCode<LimitPeriod>.List()} (default ever).");
            if (l.Count is >= 1 and <= MaxLimitCount)
            {
                limit = new RewardLimit(l.Count.Value, period);
            }
        }
        v.Check(r.AvailableFrom is null || r.AvailableUntil is null || r.AvailableFrom < r.AvailableUntil, "availableUntil",
            "When both are given: after availableFrom.");
        RewardAudience? audience = null;
        if (r.Audience is { } a)
        {
            v.Check(a.MinTier is null || program.Definition.Tiers?.Any(t => t.Name == a.MinTier) == true, "audience.minTier",
                "When given: the name of one of the program's tiers.");
            v.Check(a.Badge is null || program.Definition.Badges?.Any(b => b.Id == a.Badge) == true, "audience.badge",
                "When given: the id of one of the program's badges.");
            audience = a.MinTier is null && a.Badge is null ? null : new RewardAudience(a.MinTier, a.Badge);
        }
        var isPerk = known && kind == RewardKind.Perk;
        v.Check(!isPerk || (r.PerkId is not null && perks.TryGetValue(r.PerkId, out var perkKind) && perkKind is PerkKind.Offer or PerkKind.Event),
            "perkId", Problems.InvalidOrRequired(r.PerkId, "for a perk reward: the id of one of the program's offers or events."));
        v.Check(isPerk || r.PerkId is null, "perkId", "Only for kind perk.");

        string[] codes = [];
        var isCode = known && kind == RewardKind.Code;
        v.Check(isCode || (r.Codes is null && r.GenerateCodes is null), "codes", "Only a code reward has a pool of codes.");
        if (isCode)
        {
            codes = r.Codes ?? [];
            v.Check(codes.All(PerkRules.IsValidCode), "codes", $"Codes of 1–{PerkLimits.MaxCodeLength} characters of A–Z, a–z, 0–9, '-', '_', '.'.");
            v.Check(codes.Distinct(StringComparer.Ordinal).Count() == codes.Length, "codes", "Codes must be unique; repeated: " +
                string.Join(", ", codes.GroupBy(c => c, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).Take(100)) + ".");
            v.Check(r.GenerateCodes is null or >= 1 and <= MaxGeneratedCodes, "generateCodes", $"When given: 1 to {MaxGeneratedCodes:N0}.");
            if (r.GenerateCodes is { } n and >= 1 and <= MaxGeneratedCodes)
            {
                var generated = new HashSet<string>(StringComparer.Ordinal);
                while (generated.Count < n)
                {
                    generated.Add(NewVoucher());
                }
                codes = [.. codes, .. generated];
            }
        }
        if (!v.IsValid)
        {
            return (null, [], v);
        }
        var reward = new RewardDefinition(existing?.RewardId ?? Ids.NewId(), kind, title!, description, r.CostPoints!.Value, kind == RewardKind.Code ? null : r.Stock,
            limit, r.AvailableFrom, r.AvailableUntil, audience, r.Active ?? true, r.PerkId, existing?.CreatedAt ?? now);
        return (reward, codes, v);
    }

    private static Dictionary<string, string>? Localized(Dictionary<string, string?>? texts, string field, int max, bool required, Validation v)
    {
        if (texts is null)
        {
            v.Check(!required, field, $"Required: {{\"default\": \"...\"}} and optional texts per BCP 47 locale.");
            return null;
        }
        v.Check(texts.TryGetValue("default", out var d) && d is not null, field, "Required: a 'default' text, and optional texts per BCP 47 locale.");
        v.Check(texts.Count <= MaxLocales && texts.All(t => (t.Key == "default" || Ids.IsValidLocale(t.Key)) && Ids.IsPlainText(t.Value, max)), field,
            $"Keys: 'default' or BCP 47 locales, at most {MaxLocales}; texts of 1–{max:N0} characters of plain text.");
        return texts.Where(t => t.Value is not null).ToDictionary(t => t.Key, t => t.Value!.Trim(), StringComparer.Ordinal);
    }

    /// <summary>The tier number the scripts compare with the member's (1 = the first tier), 0 for none.</summary>
    public static int TierNumber(ProgramDefinition program, string? tier) =>
        tier is null ? 0 : (program.Tiers ?? []).Select((t, i) => (t, i)).FirstOrDefault(x => x.t.Name == tier) is { t: not null } found ? found.i + 1 : 0;
}
