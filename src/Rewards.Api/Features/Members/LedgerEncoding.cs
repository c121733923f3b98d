using System.Globalization;

namespace Rewards.Api.Features.Members;

/// <summary>
/// One ledger entry as stored (Scripts/ledger.lua), decoded: Kind is the wire kind (LedgerKind), Ref the activity id (or
/// what the entry refers to), At unix ms, Id the API's id (a former stream id when the entry was migrated, else 'e' and
/// its ordinal, 1 = the oldest).
/// </summary>
public sealed record StoredLedgerEntry(
    string Id, long Ordinal, string Kind, string Ref, string Type, string Target, long Points, long Pending, long Balance,
    long At, IReadOnlyDictionary<string, string> Extras, string Reason);

/// <summary>
/// The ledger entry encoding of Scripts/ledger.lua, read here only (MemberStore, and the fault audit, which links this file):
/// kind|ref|type|target|points|pending|balance|at|extras|reason, extras 'name=value,...', ref, type, target and extra values
/// %-escaped ('%' '|' ',' '='), the reason last and as stored.
/// </summary>
public static class LedgerEncoding
{
    public static StoredLedgerEntry Parse(string raw, long ordinal)
    {
        var f = raw.Split('|', 10);
        if (f.Length != 10)
        {
            throw new FormatException($"Not a ledger entry: {raw}");
        }
        var extras = f[8].Length == 0 ? EmptyExtras : f[8].Split(',').Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? Unescape(p[1]) : "", StringComparer.Ordinal);
        static long Number(string text) => long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var id = extras.TryGetValue("id", out var streamId) ? streamId : OrdinalId(ordinal);
        return new StoredLedgerEntry(id, ordinal, f[0], Unescape(f[1]), Unescape(f[2]), Unescape(f[3]),
            Number(f[4]), Number(f[5]), Number(f[6]), Number(f[7]), extras, f[9]);
    }

    /// <summary>The API id of an entry without a former stream id: 'e' and its ordinal (never a stream id's shape).</summary>
    public static string OrdinalId(long ordinal) => "e" + ordinal.ToString(CultureInfo.InvariantCulture);

    private static readonly IReadOnlyDictionary<string, string> EmptyExtras = new Dictionary<string, string>();

    private static string Unescape(string text) => text.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(text) : text;
}
