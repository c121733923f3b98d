using Rewards.Api.Infrastructure.Codes;
using Rewards.Api.Features.Members;
using Rewards.Api.Infrastructure.Redis;
using StackExchange.Redis;

namespace Rewards.Tests.Infrastructure;

/// <summary>
/// A member's ledger as Redis stores it (Scripts/ledger.lua), for tests that look under the API: read whole (newest first,
/// decoded by the API's own parser), and turned back into the former layout (a stream per member, programs without the
/// layout flag) to test the migration of data written before ledger lists.
/// </summary>
public static class LedgerStorage
{
    public static async Task<StoredLedgerEntry[]> ReadAsync(IDatabase db, string programId, string memberId)
    {
        var raw = await db.ListRangeAsync(RedisKeys.Ledger(programId, memberId));
        return [.. raw.Select((e, i) => LedgerEncoding.Parse(e!, raw.Length - i))];
    }

    /// <summary>The program as the former layout left it: no layout flag in its hash (its awards check for streams again).</summary>
    public static Task MarkUnmigratedAsync(IDatabase db, string programId) => db.HashDeleteAsync(RedisKeys.Program(programId), "layout");

    /// <summary>
    /// Rewrites a member's ledger list as the stream the former ledger.lua wrote (fields kind, activity, type, target, points,
    /// pending, balance, at, reason, and 'from' on tier entries), ids '&lt;at&gt;-&lt;n&gt;' in order; the list is deleted.
    /// Returns the stream ids, oldest first.
    /// </summary>
    public static async Task<string[]> ToLegacyStreamAsync(IDatabase db, string programId, string memberId)
    {
        var entries = (await ReadAsync(db, programId, memberId)).Reverse().ToArray();
        var stream = RedisKeys.LegacyLedger(programId, memberId);
        var ids = new List<string>();
        long lastMs = 0, seq = 0;
        foreach (var e in entries)
        {
            (lastMs, seq) = e.At > lastMs ? (e.At, 0) : (lastMs, seq + 1);
            var id = $"{lastMs}-{seq}";
            NameValueEntry[] fields =
            [
                new("kind", e.Kind), new("activity", e.Ref), new("type", e.Type), new("target", e.Target),
                new("points", e.Points), new("pending", e.Pending), new("balance", e.Balance), new("at", e.At), new("reason", e.Reason),
                .. e.Extras.Select(x => new NameValueEntry(x.Key, x.Value)),
            ];
            ids.Add((string)(await db.StreamAddAsync(stream, fields, id))!);
        }
        await db.KeyDeleteAsync(RedisKeys.Ledger(programId, memberId));
        return [.. ids];
    }
}
