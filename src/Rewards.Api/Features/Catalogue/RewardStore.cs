using System.Text.Json;
using Microsoft.Extensions.Options;
using Rewards.Api.Features.Events;
using Rewards.Api.Features.Insights;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Http;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Catalogue;

/// <summary>A reward's own figures: redemptions by state now, and the units and points of the confirmed ones (net of cancellations).</summary>
public sealed record RewardFigures(long Reserved, long Confirmed, long Cancelled, long Expired, long QuantityRedeemed, long PointsRedeemed);

/// <summary>A reward with its stock left (null: unlimited; a code reward's pool) and its figures.</summary>
public sealed record RewardView(RewardDefinition Reward, long? StockLeft, RewardFigures Figures, DateTimeOffset UpdatedAt);

/// <summary>
/// A redemption. <c>Codes</c> are revealed once confirmed (a hold shows none; a cancelled or expired redemption's codes are void);
/// <c>Balance</c> is the member's balance right after it was made; <c>Lots</c> names the lots its points came from.
/// </summary>
public sealed record RedemptionView(string RedemptionId, string MemberId, string RewardId, RewardKind Kind, int Quantity, long Points,
    RedemptionState State, IReadOnlyList<string>? Codes, DateTimeOffset? HoldUntil, FulfilmentStatus? Fulfilment, string? PerkId, long Balance,
    DateTimeOffset CreatedAt, DateTimeOffset? ConfirmedAt, DateTimeOffset? ClosedAt, string? Lots);

public enum SaveRewardResult { Ok, Missing, Exists, Duplicates, PoolQuota }

public enum RedeemResult { Created, Replayed, Conflict, Refused, MemberMissing, RewardMissing, OnePerk, VoucherTaken }

/// <summary>A refusal of redeem.lua: the reason and what the script said about it (the numbers behind it).</summary>
public sealed record Refusal(RedemptionRefusal Reason, IReadOnlyList<string> Details);

public sealed record RedeemCommand(ProgramSnapshot Program, string IdempotencyKeyHash, string RequestHash, string MemberId, string RewardId,
    int Quantity, DateTimeOffset? HoldUntil, DateTimeOffset Now, string Client);

public enum ChangeResult { Done, Missing, State }

/// <summary>What a redemption can be moved by: the member or brand (confirm, cancel) and the brand's fulfilment.</summary>
public enum RedemptionAction { Confirm, Cancel, Shipped, Delivered, Failed }

public sealed class RewardStore(IConnectionMultiplexer redis, RewardsScripts scripts, IOptions<InsightsOptions> insights,
    IOptions<EventsOptions> events)
{
    private static readonly JsonSerializerOptions Json = HttpSetup.StoredJson;

    /// <summary>A periodic limit counter outlives its longest period (a month) with a margin.</summary>
    private static readonly TimeSpan LimitCounterRetention = TimeSpan.FromDays(40);

    /// <summary>Due holds one redemption or one sweep run releases at most.</summary>
    public const int SweepPerRun = 50;

    public async Task<(SaveRewardResult Result, long Count, IReadOnlyList<string> Duplicates)> SaveAsync(ProgramSnapshot program, string mode,
        RewardDefinition reward, IReadOnlyList<string> codes, bool setStock, long maxPool, DateTimeOffset now)
    {
        var p = program.Id;
        var r = (RedisResult[])(await scripts.SaveReward.RunAsync(redis.GetDatabase(), ScriptArgs<RewardSaveScript>.Build(new(
            RedisKeys.Reward(p, reward.RewardId), RedisKeys.Rewards(p), RedisKeys.RewardCodes(p, reward.RewardId), RedisKeys.RewardCodeSet(p, reward.RewardId),
            mode, reward.RewardId, ProgramTime.ToUnixMs(now), JsonSerializer.Serialize(reward, Json), reward.Kind.ToWire(),
            reward.CostPoints, reward.Stock?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", setStock ? "set" : "keep",
            reward.Limit?.Count ?? 0, (reward.Limit?.Per ?? LimitPeriod.Ever).ToWire(), Ms(reward.AvailableFrom), Ms(reward.AvailableUntil),
            RewardRules.TierNumber(program.Definition, reward.Audience?.MinTier), reward.Audience?.Badge ?? "", reward.Active, reward.PerkId ?? "",
            maxPool, string.Join(',', codes)))))!;
        return (string)r[0]! switch
        {
            "ok" => (SaveRewardResult.Ok, (long)r[1], []),
            "missing" => (SaveRewardResult.Missing, 0, []),
            "exists" => (SaveRewardResult.Exists, 0, []),
            "duplicates" => (SaveRewardResult.Duplicates, (long)r[1], [.. r.Skip(2).Select(c => (string)c!)]),
            _ => (SaveRewardResult.PoolQuota, (long)r[1], []),
        };
    }

    private static string Ms(DateTimeOffset? at) => at is { } t ? ProgramTime.ToUnixMs(t).ToString(System.Globalization.CultureInfo.InvariantCulture) : "";

    /// <summary>Soft delete: the reward leaves the catalogue and refuses redemptions; its redemptions keep their history.</summary>
    public async Task<bool> DeleteAsync(string programId, string rewardId)
    {
        var r = (RedisResult[])(await scripts.SaveReward.RunAsync(redis.GetDatabase(), ScriptArgs<RewardSaveScript>.Build(new(
            RedisKeys.Reward(programId, rewardId), RedisKeys.Rewards(programId), RedisKeys.RewardCodes(programId, rewardId),
            RedisKeys.RewardCodeSet(programId, rewardId), "delete", rewardId, 0, "", "", 0, "", "keep", 0, "ever", "", "", 0, "", false, "", 0, ""))))!;
        return (string)r[0]! == "ok";
    }

    public async Task<RewardView?> FindAsync(string programId, string rewardId) =>
        (await ViewsAsync(programId, [rewardId])).FirstOrDefault();

    /// <summary>The definition alone (a patch starts from it); null when missing or deleted.</summary>
    public async Task<RewardDefinition?> FindDefinitionAsync(string programId, string rewardId) =>
        (await FindAsync(programId, rewardId))?.Reward;

    /// <summary>One page of the catalogue, newest first, and how many rewards there are; one pipelined round trip for the page.</summary>
    public async Task<(IReadOnlyList<RewardView> Rewards, long Total)> ListAsync(string programId, int offset, int limit)
    {
        var db = redis.GetDatabase();
        var total = db.SortedSetLengthAsync(RedisKeys.Rewards(programId));
        var ids = await db.SortedSetRangeByRankAsync(RedisKeys.Rewards(programId), offset, offset + limit - 1, Order.Descending);
        return (await ViewsAsync(programId, [.. ids.Select(i => i.ToString())]), await total);
    }

    private static readonly RedisValue[] ViewFields =
        ["json", "stock", "reserved", "confirmed", "cancelled", "expired", "quantity", "points", "updatedAt", "deleted", "kind"];

    private async Task<IReadOnlyList<RewardView>> ViewsAsync(string programId, IReadOnlyList<string> ids)
    {
        var db = redis.GetDatabase();
        var fields = ids.Select(id => db.HashGetAsync(RedisKeys.Reward(programId, id), ViewFields)).ToArray();
        var pools = ids.Select(id => db.ListLengthAsync(RedisKeys.RewardCodes(programId, id))).ToArray();
        await Task.WhenAll([.. fields, .. pools]);
        var views = new List<RewardView>(ids.Count);
        for (var i = 0; i < ids.Count; i++)
        {
            var f = fields[i].Result;
            if (f[0].IsNull || f[9] == "1")
            {
                continue;
            }
            var reward = JsonSerializer.Deserialize<RewardDefinition>(f[0].ToString(), Json)!;
            long? stock = reward.Kind == RewardKind.Code ? pools[i].Result : f[1].IsNull ? null : (long)f[1];
            views.Add(new RewardView(reward, stock, new RewardFigures((long)f[2], (long)f[3], (long)f[4], (long)f[5], (long)f[6], (long)f[7]),
                ProgramTime.FromUnixMs((long)f[8])));
        }
        return views;
    }

    public async Task<(RedeemResult Result, RedemptionView? View, Refusal? Refusal)> RedeemAsync(RedeemCommand c, string vouchers)
    {
        var p = c.Program.Id;
        var periods = ProgramTime.PeriodsOf(c.Now, c.Program.Zone);
        var id = Infrastructure.Ids.NewId();
        var r = (RedisResult[])(await scripts.Redeem.RunAsync(redis.GetDatabase(), ScriptArgs<RedeemScript>.Build(new(
            IdempotencySlot.For(p, c.IdempotencyKeyHash, c.RequestHash, c.Now), RedisKeys.Member(p, c.MemberId), RedisKeys.Ledger(p, c.MemberId),
            RedisKeys.MemberLots(p, c.MemberId), RedisKeys.LotsDue(p), RedisKeys.Reward(p, c.RewardId), RedisKeys.RewardCodes(p, c.RewardId),
            RedisKeys.RewardCodeSet(p, c.RewardId), RedisKeys.Redemption(p, id), RedisKeys.MemberRedemptions(p, c.MemberId),
            RedisKeys.ProgramRedemptions(p), RedisKeys.RedemptionHolds(p), RedisKeys.Stats(p, periods.Day),
            id, c.MemberId, c.RewardId, c.Quantity, c.HoldUntil is not null, c.HoldUntil is { } h ? ProgramTime.ToUnixMs(h) : 0,
            ProgramTime.ToUnixMs(c.Now), periods.Day, periods.Week, periods.Month, (long)LimitCounterRetention.TotalSeconds, vouchers, c.Client,
            insights.Value.RetentionSeconds, RedisKeys.MemberPrefix(p), RedisKeys.RewardPrefix(p),
            RedisKeys.RedemptionPrefix(p), RedisKeys.PerkPrefix(p), SweepPerRun, EventWrites.For(p, events.Value)))))!;
        return (string)r[0]! switch
        {
            "created" => (RedeemResult.Created, ToView(r.Skip(1)), null),
            "replayed" => (RedeemResult.Replayed, ToView(r.Skip(1)), null),
            "conflict" => (RedeemResult.Conflict, null, null),
            "refused" => (RedeemResult.Refused, null, new Refusal(WireCode<RedemptionRefusal>.Parse((string)r[1]!), [.. r.Skip(2).Select(x => (string)x!)])),
            "missing" when (string)r[1]! == "member" => (RedeemResult.MemberMissing, null, null),
            "missing" => (RedeemResult.RewardMissing, null, null),
            "one_perk" => (RedeemResult.OnePerk, null, null),
            _ => (RedeemResult.VoucherTaken, null, null),
        };
    }

    /// <summary>Confirms, cancels or moves the delivery of a redemption; <paramref name="memberId"/> null: any member's (brand routes).</summary>
    public async Task<(ChangeResult Result, RedemptionView? View, RedemptionState? State, FulfilmentStatus? Fulfilment)> ChangeAsync(
        ProgramSnapshot program, string? memberId, string redemptionId, RedemptionAction action, DateTimeOffset now)
    {
        var p = program.Id;
        var r = (RedisResult[])(await scripts.ChangeRedemption.RunAsync(redis.GetDatabase(), ScriptArgs<RedemptionChangeScript>.Build(new(
            RedisKeys.Redemption(p, redemptionId), RedisKeys.RedemptionHolds(p), RedisKeys.LotsDue(p), RedisKeys.Stats(p, ProgramTime.PeriodsOf(now, program.Zone).Day),
            redemptionId, memberId ?? "", ActionWire(action), ProgramTime.ToUnixMs(now), insights.Value.RetentionSeconds,
            RedisKeys.MemberPrefix(p), RedisKeys.RewardPrefix(p), RedisKeys.RedemptionPrefix(p), RedisKeys.PerkPrefix(p), EventWrites.For(p, events.Value)))))!;
        return (string)r[0]! switch
        {
            "done" => (ChangeResult.Done, ToView(r.Skip(1)), null, null),
            "missing" => (ChangeResult.Missing, null, null, null),
            _ => (ChangeResult.State, null, WireCode<RedemptionState>.Parse((string)r[1]!),
                (string?)r[2] is { Length: > 0 } f ? WireCode<FulfilmentStatus>.Parse(f) : null),
        };
    }

    private static string ActionWire(RedemptionAction action) => action switch
    {
        RedemptionAction.Confirm => "confirm",
        RedemptionAction.Cancel => "cancel",
        RedemptionAction.Shipped => FulfilmentStatus.Shipped.ToWire(),
        RedemptionAction.Delivered => FulfilmentStatus.Delivered.ToWire(),
        RedemptionAction.Failed => FulfilmentStatus.Failed.ToWire(),
    };

    /// <summary>Releases the program's holds past their expiry, <see cref="SweepPerRun"/> per script run; answers how many it examined.</summary>
    public async Task<long> SweepAsync(ProgramSnapshot program, DateTimeOffset now)
    {
        var p = program.Id;
        var db = redis.GetDatabase();
        long total = 0;
        while (true)
        {
            var n = (long)(await scripts.SweepHolds.RunAsync(db, ScriptArgs<RedemptionSweepScript>.Build(new(
                RedisKeys.RedemptionHolds(p), RedisKeys.LotsDue(p), RedisKeys.Stats(p, ProgramTime.PeriodsOf(now, program.Zone).Day),
                ProgramTime.ToUnixMs(now), SweepPerRun, insights.Value.RetentionSeconds,
                RedisKeys.MemberPrefix(p), RedisKeys.RewardPrefix(p), RedisKeys.RedemptionPrefix(p), RedisKeys.PerkPrefix(p), EventWrites.For(p, events.Value)))));
            total += n;
            if (n < SweepPerRun)
            {
                return total;
            }
        }
    }

    public async Task<RedemptionView?> FindRedemptionAsync(string programId, string redemptionId)
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(RedisKeys.Redemption(programId, redemptionId));
        return entries.Length == 0 ? null : ToView(entries.ToDictionary(e => e.Name.ToString(), e => e.Value.ToString()));
    }

    /// <summary>One page of redemptions, newest first: the member's, or the program's (memberId null); one pipelined round trip for the page.</summary>
    public async Task<(IReadOnlyList<RedemptionView> Redemptions, long Total)> ListRedemptionsAsync(string programId, string? memberId, int offset, int limit)
    {
        var db = redis.GetDatabase();
        var index = memberId is null ? RedisKeys.ProgramRedemptions(programId) : RedisKeys.MemberRedemptions(programId, memberId);
        var total = db.SortedSetLengthAsync(index);
        var ids = await db.SortedSetRangeByRankAsync(index, offset, offset + limit - 1, Order.Descending);
        var all = await Task.WhenAll(ids.Select(id => db.HashGetAllAsync(RedisKeys.Redemption(programId, id.ToString()))));
        return ([.. all.Where(e => e.Length > 0).Select(e => ToView(e.ToDictionary(x => x.Name.ToString(), x => x.Value.ToString())))], await total);
    }

    /// <summary>A redemption from a script's HGETALL reply (name, value, ...).</summary>
    private static RedemptionView ToView(IEnumerable<RedisResult> flat)
    {
        var items = flat.Select(x => (string)x!).ToArray();
        var f = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < items.Length; i += 2)
        {
            f[items[i]] = items[i + 1];
        }
        return ToView(f);
    }

    private static RedemptionView ToView(Dictionary<string, string> f)
    {
        string? Text(string name) => f.TryGetValue(name, out var v) && v.Length > 0 ? v : null;
        DateTimeOffset? At(string name) => Text(name) is { } v ? ProgramTime.FromUnixMs(long.Parse(v, System.Globalization.CultureInfo.InvariantCulture)) : null;
        long Number(string name) => Text(name) is { } v ? long.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var state = WireCode<RedemptionState>.Parse(f["state"]);
        var revealed = state is RedemptionState.Confirmed or RedemptionState.Fulfilled;
        return new RedemptionView(f["id"], f["member"], f["reward"], WireCode<RewardKind>.Parse(f["kind"]), (int)Number("quantity"), Number("points"),
            state, revealed && Text("codes") is { } codes ? codes.Split(',') : null, At("holdUntil"),
            Text("fulfilment") is { } ful ? WireCode<FulfilmentStatus>.Parse(ful) : null, Text("perkId"), Number("balance"),
            At("createdAt")!.Value, At("confirmedAt"), At("closedAt"), Text("lots"));
    }
}
