using System.Globalization;
using System.Text.RegularExpressions;

namespace Rewards.Api.Infrastructure;

/// <summary>Shapes of the ids clients send; anything reaching a Redis key name has passed one of these.</summary>
public static partial class Ids
{
    /// <summary>What <see cref="IsValidId"/> accepts, as validation messages tell it.</summary>
    public const string IdRule = "1–64 characters of A–Z, a–z, 0–9, '.', '_' or '-', other than '.' and '..'";

    /// <summary>
    /// Program and member ids: 1–64 chars of [A-Za-z0-9._-], except "." and "..": as a URL path segment those are
    /// dot-segments that clients and servers remove, so a resource with such an id could never be read or erased.
    /// </summary>
    public static bool IsValidId(string? value) => value is not null && IdPattern().IsMatch(value);

    /// <summary>Activity types: lower-case, start with a letter, 1–32 chars of [a-z0-9_-].</summary>
    public static bool IsValidActivityType(string? value) => value is not null && ActivityTypePattern().IsMatch(value);

    /// <summary>Ids the API generates (activities, perks): 32 lower-case hex chars, time-ordered.</summary>
    public static bool IsValidGeneratedId(string? value) => value is not null && GeneratedIdPattern().IsMatch(value);

    /// <summary>A BCP 47 language tag such as 'fr' or 'fr-FR' (a member's locale, news texts by locale, the reader's locale).</summary>
    public static bool IsValidLocale(string? value) => value is not null && LocalePattern().IsMatch(value);

    public static string NewId() => Guid.CreateVersion7().ToString("N");

    public const int MaxIdempotencyKeyLength = 128;

    /// <summary>Printable ASCII only (space to tilde), 1–<see cref="MaxIdempotencyKeyLength"/> chars, as the Idempotency-Key header demands.</summary>
    public static bool IsValidIdempotencyKey(string? value) =>
        value is { Length: >= 1 and <= MaxIdempotencyKeyLength } && value.All(c => c is >= ' ' and <= '~');

    /// <summary>
    /// Free text a person reads (names, reasons): bounded, not blank, without control characters and without the
    /// invisible format characters that disguise text (bidirectional overrides such as U+202E that make "Alice" read
    /// backwards on a leaderboard, zero-width spaces that make two names look alike, byte-order marks). The zero-width
    /// non-joiner and joiner stay allowed: emoji sequences and several scripts (Persian, Indic) need them.
    /// </summary>
    public static bool IsPlainText(string? value, int maxLength) =>
        value is not null && value.Length <= maxLength && value.Trim().Length > 0 && !value.Any(IsHiddenOrControl);

    private static bool IsHiddenOrControl(char c) =>
        char.IsControl(c) || (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format && c is not ('\u200C' or '\u200D'));

    // Patterns end in \z, not $: in .NET '$' also matches before a final '\n', which would let "m-1\n" through.
    [GeneratedRegex(@"^(?!\.\.?\z)[A-Za-z0-9._-]{1,64}\z")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^[a-z][a-z0-9_-]{0,31}\z")]
    private static partial Regex ActivityTypePattern();

    [GeneratedRegex(@"^[0-9a-f]{32}\z")]
    private static partial Regex GeneratedIdPattern();

    [GeneratedRegex(@"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,6}\z")]
    private static partial Regex LocalePattern();
}
