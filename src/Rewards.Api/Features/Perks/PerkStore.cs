using System.Text.Json;
using Rewards.Api.Features.Quotas;
using Rewards.Api.Infrastructure.Http;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.Perks;

/// <summary>
/// A grant run's figures: <paramref name="Checked"/> members of the audience snapshot examined so far, <paramref name="Total"/> of
/// them in the audience after its condition (active, meeting the points, tier or badge condition), <paramref name="Granted"/> of
/// those granted by this run (a resumed run does not grant twice). Final once the status is done.
/// </summary>
public sealed record PerkRunView(string RunId, PerkRunStatus Status, long Total, long Checked, long Granted, DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt);

/// <summary>A perk with its status and the figures marketers follow.</summary>
public sealed record PerkView(PerkDefinition Perk, PerkStatus Status, long Granted, long Claimed, long Accepted, long Waitlisted, long? CodesLeft,
    DateTimeOffset? NextRunAt, PerkRunView? LastRun);

/// <summary>One perk in a member's inbox, with the member's state for it.</summary>
public sealed record MemberPerk(string PerkId, PerkKind Kind, string Title, string? Description, MemberPerkState State, DateTimeOffset GrantedAt,
    string? Code, OfferSettings? Offer, EventSettings? Event, DateTimeOffset? EarlyAt, DateTimeOffset? PublicAt);

/// <summary>An offer code: free, or claimed by a member at a time.</summary>
public sealed record OfferCode(string Code, OfferCodeState State, string? MemberId, DateTimeOffset? ClaimedAt);

public sealed record NewsItem(string PerkId, string Title, string Body, string Locale, DateTimeOffset EarlyAt, DateTimeOffset PublicAt, bool EarlyAccess);

public sealed class PerkStore(IConnectionMultiplexer redis, RewardsScripts scripts, TimeProvider clock, Programs.ProgramStore programs,
    Microsoft.Extensions.Options.IOptions<Insights.InsightsOptions> insights, Microsoft.Extensions.Options.IOptions<Events.EventsOptions> events)
{
    private long KpiTtl => insights.Value.RetentionSeconds;

    /// <summary>Today's KPI hash in the program's time zone (perk figures count on the day they happen).</summary>
    public async Task<RedisKey> TodaysStatsAsync(string programId)
    {
        var program = await programs.FindAsync(programId);
        return RedisKeys.Stats(programId, ProgramTime.PeriodsOf(clock.GetUtcNow(), program?.Zone ?? TimeZoneInfo.Utc).Day);
    }

    private static readonly JsonSerializerOptions Json = HttpSetup.StoredJson;

    /// <summary>Creates the perk with its code pool in one script run; the perks-per-program and codes-per-pool quotas are checked there.</summary>
    public async Task<CodesOutcome> CreateAsync(string programId, PerkDefinition perk, IReadOnlyList<string> codes, ProgramQuotas quotas)
    {
        var r = (RedisResult[])(await scripts.CreatePerk.RunAsync(redis.GetDatabase(), ScriptArgs<CreatePerkScript>.Build(new(
            RedisKeys.PerkIndex(programId), RedisKeys.Perk(programId, perk.PerkId), RedisKeys.PerkCodes(programId, perk.PerkId),
            RedisKeys.PerkCodeSet(programId, perk.PerkId), RedisKeys.NewsByPublicAt(programId), RedisKeys.NewsByEarlyAt(programId),
            perk.PerkId, JsonSerializer.Serialize(perk, Json), ProgramTime.ToUnixMs(perk.CreatedAt), quotas.MaxPerks, quotas.MaxCodesPerPool,
            perk.News is { } news ? ProgramTime.ToUnixMs(news.PublicAt) : "", perk.News is { } n ? ProgramTime.ToUnixMs(n.EarlyAt) : "",
            [.. codes.Select(c => (RedisValue)c)]))))!;
        return (string)r[0]! switch
        {
            "quota" => new CodesOutcome(CodesResult.PerksQuota, (long)r[1], []),
            "quota-codes" => new CodesOutcome(CodesResult.PoolQuota, (long)r[1], []),
            "duplicates" => new CodesOutcome(CodesResult.Duplicates, (long)r[1], [.. r.Skip(2).Select(c => (string)c!)]),
            _ => new CodesOutcome(CodesResult.Ok, 0, []),
        };
    }

    /// <summary>Appends codes to an offer's pool: unique in the pool (claimed codes included) and within the codes-per-pool quota.</summary>
    public async Task<CodesOutcome> AddCodesAsync(string programId, string perkId, IReadOnlyList<string> codes, ProgramQuotas quotas)
    {
        var r = (RedisResult[])(await scripts.AddPerkCodes.RunAsync(redis.GetDatabase(), ScriptArgs<AddPerkCodesScript>.Build(new(
            RedisKeys.Perk(programId, perkId), RedisKeys.PerkCodes(programId, perkId), RedisKeys.PerkCodeSet(programId, perkId),
            quotas.MaxCodesPerPool, [.. codes.Select(c => (RedisValue)c)]))))!;
        return (string)r[0]! switch
        {
            "none" => new CodesOutcome(CodesResult.NoPerk, 0, []),
            "quota" => new CodesOutcome(CodesResult.PoolQuota, (long)r[1], []),
            "duplicates" => new CodesOutcome(CodesResult.Duplicates, (long)r[1], [.. r.Skip(2).Select(c => (string)c!)]),
            _ => new CodesOutcome(CodesResult.Ok, (long)r[1], []),
        };
    }

    /// <summary>
    /// Deletes the perk and every key it owns (see perk-delete.lua) in one script run; false when there was no such perk.
    /// Members' grants of it are removed afterwards by <see cref="UngrantChunkAsync"/> (PerkCleanupJob).
    /// </summary>
    public async Task<bool> DeleteAsync(string programId, string perkId) =>
        (long)(await scripts.DeletePerk.RunAsync(redis.GetDatabase(), ScriptArgs<DeletePerkScript>.Build(new(
            RedisKeys.Perk(programId, perkId), RedisKeys.PerkIndex(programId), RedisKeys.NewsByPublicAt(programId), RedisKeys.NewsByEarlyAt(programId),
            RedisKeys.PerkCodes(programId, perkId), RedisKeys.PerkCodeSet(programId, perkId), RedisKeys.PerkAccepted(programId, perkId),
            RedisKeys.PerkWaitlist(programId, perkId), RedisKeys.PerkDeclined(programId, perkId), RedisKeys.PerkRuns(programId, perkId),
            RedisKeys.PerkClaims(programId, perkId),
            perkId, RedisKeys.PerkRun(programId, perkId, "").ToString())))) == 1;

    /// <summary>Removes a deleted perk's grant and inbox entry from the members ranked [start, start + count); returns how many were looked at.</summary>
    public async Task<long> UngrantChunkAsync(string programId, string perkId, long start, int count) =>
        (long)await scripts.UngrantPerkChunk.RunAsync(redis.GetDatabase(), ScriptArgs<UngrantPerkChunkScript>.Build(new(
            RedisKeys.MemberIndex(programId), perkId, start, count, RedisKeys.MemberPrefix(programId))));

    public async Task<(PerkDefinition Perk, PerkStatus Status)?> FindDefinitionAsync(string programId, string perkId)
    {
        var f = await redis.GetDatabase().HashGetAsync(RedisKeys.Perk(programId, perkId), ["json", "status"]);
        return f[0].IsNull || StatusOf(f[1]) == PerkStatus.Deleted ? null : (JsonSerializer.Deserialize<PerkDefinition>(f[0].ToString(), Json)!, StatusOf(f[1]));
    }

    public async Task<PerkView?> FindAsync(string programId, string perkId) =>
        (await ViewsAsync(programId, [perkId])).FirstOrDefault();

    /// <summary>One page of the program's perks, newest first, and how many there are.</summary>
    public async Task<(IReadOnlyList<PerkView> Perks, long Total)> ListAsync(string programId, int offset, int limit)
    {
        var db = redis.GetDatabase();
        var total = db.SortedSetLengthAsync(RedisKeys.PerkIndex(programId));
        var ids = await db.SortedSetRangeByRankAsync(RedisKeys.PerkIndex(programId), offset, offset + limit - 1, Order.Descending);
        return (await ViewsAsync(programId, [.. ids.Select(i => i.ToString())]), await total);
    }

    /// <summary>Perks with their figures, all read in one pipelined round trip (then one for the last runs).</summary>
    private async Task<IReadOnlyList<PerkView>> ViewsAsync(string programId, string[] perkIds)
    {
        var db = redis.GetDatabase();
        var reads = perkIds.Select(id => (
            Id: id,
            Fields: db.HashGetAsync(RedisKeys.Perk(programId, id), ["json", "status", "granted", "claimed", "lastRunId"]),
            Accepted: db.SortedSetLengthAsync(RedisKeys.PerkAccepted(programId, id)),
            Waitlisted: db.SortedSetLengthAsync(RedisKeys.PerkWaitlist(programId, id)),
            Codes: db.ListLengthAsync(RedisKeys.PerkCodes(programId, id)))).ToArray();
        await Task.WhenAll(reads.SelectMany(r => new Task[] { r.Fields, r.Accepted, r.Waitlisted, r.Codes }));
        var now = clock.GetUtcNow();
        var live = reads.Where(r => !r.Fields.Result[0].IsNull && StatusOf(r.Fields.Result[1]) != PerkStatus.Deleted).ToArray();
        var lastRuns = await Task.WhenAll(live.Select(r => r.Fields.Result[4] is { IsNull: false } runId
            ? RunAsync(programId, r.Id, runId!)
            : Task.FromResult<PerkRunView?>(null)));
        var views = new List<PerkView>();
        foreach (var (r, lastRun) in live.Zip(lastRuns))
        {
            var f = r.Fields.Result;
            var perk = JsonSerializer.Deserialize<PerkDefinition>(f[0].ToString(), Json)!;
            var status = StatusOf(f[1]);
            views.Add(new PerkView(perk, status, (long)f[2], (long)f[3], r.Accepted.Result, r.Waitlisted.Result,
                perk.Kind == PerkKind.Offer ? r.Codes.Result : null, PerkRules.NextRun(perk, status, now), lastRun));
        }
        return views;
    }

    public async Task<PerkRunView?> RunAsync(string programId, string perkId, string runId)
    {
        var f = await redis.GetDatabase().HashGetAsync(RedisKeys.PerkRun(programId, perkId, runId),
            ["status", "qualified", "cursor", "granted", "startedAt", "finishedAt"]);
        return f[0].IsNull ? null : new PerkRunView(runId, WireCode<PerkRunStatus>.Parse(f[0]!), (long?)f[1] ?? 0, (long?)f[2] ?? 0, (long?)f[3] ?? 0,
            f[4].IsNull ? null : ProgramTime.FromUnixMs((long)f[4]), f[5].IsNull ? null : ProgramTime.FromUnixMs((long)f[5]));
    }

    /// <summary>Sets the status of a perk that exists (a perk deleted meanwhile is not brought back as a bare hash).</summary>
    public async Task SetStatusAsync(string programId, string perkId, PerkStatus status)
    {
        var tx = redis.GetDatabase().CreateTransaction();
        tx.AddCondition(Condition.KeyExists(RedisKeys.Perk(programId, perkId)));
        _ = tx.HashSetAsync(RedisKeys.Perk(programId, perkId), "status", status.ToWire());
        await tx.ExecuteAsync();
    }

    private static PerkStatus StatusOf(RedisValue stored) => WireCode<PerkStatus>.Parse(stored!);

    /// <summary>The member's whole inbox, newest grant first (for the member's export, which holds everything).</summary>
    public async Task<IReadOnlyList<MemberPerk>> InboxAsync(string programId, string memberId) =>
        (await InboxAsync(programId, memberId, 0, limit: -1)).Perks;

    /// <summary>One page of the member's inbox, newest grant first (a negative limit: all of it), and the inbox's size.</summary>
    public async Task<(IReadOnlyList<MemberPerk> Perks, long Total)> InboxAsync(string programId, string memberId, int offset, int limit)
    {
        var db = redis.GetDatabase();
        var total = db.SortedSetLengthAsync(RedisKeys.MemberInbox(programId, memberId));
        var inbox = db.SortedSetRangeByRankWithScoresAsync(RedisKeys.MemberInbox(programId, memberId), offset,
            limit < 0 ? -1 : offset + limit - 1, Order.Descending);
        var grants = db.HashGetAllAsync(RedisKeys.MemberGrants(programId, memberId));
        var grantOf = (await grants).ToDictionary(g => g.Name.ToString(), g => g.Value.ToString());
        var now = clock.GetUtcNow();
        var entries = await inbox;
        // Definitions and invitation states of every perk in the inbox, pipelined.
        var definitions = await Task.WhenAll(entries.Select(e => FindDefinitionAsync(programId, e.Element.ToString())));
        var invitations = await Task.WhenAll(entries.Zip(definitions).Select(p => p.Second is { Perk.Kind: PerkKind.Event }
            ? InvitationStateAsync(programId, p.First.Element.ToString(), memberId)
            : Task.FromResult(MemberPerkState.Invited)));
        var result = new List<MemberPerk>();
        for (var i = 0; i < entries.Length; i++)
        {
            var perkId = entries[i].Element.ToString();
            if (definitions[i] is not var (perk, _) || !grantOf.TryGetValue(perkId, out var grant))
            {
                continue;
            }
            var parts = grant.Split('|');
            var (state, code) = perk.Kind switch
            {
                PerkKind.Offer when parts[1] == MemberPerkState.Claimed.ToWire() => (MemberPerkState.Claimed, parts[2]),
                PerkKind.Offer when perk.Offer?.ExpiresAt <= now => (MemberPerkState.Expired, null),
                PerkKind.Offer or PerkKind.News => (MemberPerkState.New, (string?)null),
                PerkKind.Event => (invitations[i], null),
            };
            result.Add(new MemberPerk(perkId, perk.Kind, perk.Title, perk.Description, state, ProgramTime.FromUnixMs((long)entries[i].Score), code,
                perk.Offer, perk.Event, perk.News?.EarlyAt, perk.News?.PublicAt));
        }
        return (result, await total);
    }

    private async Task<MemberPerkState> InvitationStateAsync(string programId, string perkId, string memberId)
    {
        var db = redis.GetDatabase();
        var accepted = db.SortedSetScoreAsync(RedisKeys.PerkAccepted(programId, perkId), memberId);
        var waitlisted = db.SortedSetScoreAsync(RedisKeys.PerkWaitlist(programId, perkId), memberId);
        var declined = db.SetContainsAsync(RedisKeys.PerkDeclined(programId, perkId), memberId);
        return await accepted is not null ? MemberPerkState.Accepted : await waitlisted is not null ? MemberPerkState.Waitlisted
            : await declined ? MemberPerkState.Declined : MemberPerkState.Invited;
    }

    /// <summary>
    /// One page of an offer's codes (perk-codes-list.lua): claimed first, oldest claim first, then free, the next to be handed
    /// out first; and how many match. One script run.
    /// </summary>
    public async Task<(IReadOnlyList<OfferCode> Codes, long Total)> CodesAsync(string programId, string perkId, OfferCodeState? state, int offset, int limit)
    {
        var r = (RedisResult[])(await scripts.ListOfferCodes.RunAsync(redis.GetDatabase(), ScriptArgs<ListOfferCodesScript>.Build(new(
            RedisKeys.PerkClaims(programId, perkId), RedisKeys.PerkCodes(programId, perkId), RedisKeys.MemberPrefix(programId), perkId,
            state?.ToWire() ?? "", offset, limit))))!;
        var codes = new List<OfferCode>((r.Length - 2) / 3);
        for (var i = 2; i + 2 < r.Length; i += 3)
        {
            var member = (string)r[i + 1]!;
            codes.Add(member.Length == 0
                ? new OfferCode((string)r[i]!, OfferCodeState.Free, null, null)
                : new OfferCode((string)r[i]!, OfferCodeState.Claimed, member, ProgramTime.FromUnixMs((long)r[i + 2])));
        }
        return (codes, (long)r[0] + (long)r[1]);
    }

    /// <summary>The code, or why not: no grant, expired, or the pool is exhausted.</summary>
    public async Task<(ClaimOutcome Outcome, string? Code)> ClaimAsync(string programId, string memberId, PerkDefinition offer)
    {
        var expired = offer.Offer?.ExpiresAt <= clock.GetUtcNow();
        var r = (RedisResult[])(await scripts.ClaimOffer.RunAsync(redis.GetDatabase(), ScriptArgs<ClaimOfferScript>.Build(new(
            RedisKeys.MemberGrants(programId, memberId), RedisKeys.PerkCodes(programId, offer.PerkId), RedisKeys.Perk(programId, offer.PerkId),
            await TodaysStatsAsync(programId), RedisKeys.PerkClaims(programId, offer.PerkId), RedisKeys.Member(programId, memberId),
            RedisKeys.Events(programId), offer.PerkId, expired, KpiTtl, ProgramTime.ToUnixMs(clock.GetUtcNow()), memberId,
            events.Value.ScriptMaxLength))))!;
        return (WireCode<ClaimOutcome>.Parse((string)r[0]!), r.Length > 1 ? (string?)r[1] : null);
    }

    /// <summary>The member's state after answering ("none" without an invitation).</summary>
    public async Task<RsvpOutcome> AnswerAsync(string programId, string memberId, string perkId, RsvpAnswer answer, int capacity)
    {
        var r = (RedisResult[])(await scripts.AnswerInvitation.RunAsync(redis.GetDatabase(), ScriptArgs<AnswerInvitationScript>.Build(new(
            RedisKeys.MemberGrants(programId, memberId), RedisKeys.PerkAccepted(programId, perkId), RedisKeys.PerkWaitlist(programId, perkId),
            RedisKeys.PerkDeclined(programId, perkId), await TodaysStatsAsync(programId), RedisKeys.Member(programId, memberId),
            RedisKeys.Events(programId), perkId, memberId, answer.ToWire(), capacity, ProgramTime.ToUnixMs(clock.GetUtcNow()), KpiTtl,
            RedisKeys.MemberPrefix(programId), events.Value.ScriptMaxLength))))!;
        return WireCode<RsvpOutcome>.Parse((string)r[0]!);
    }

    /// <summary>
    /// One page of news through the news index, newest publicAt first: public news, and for a member first the news not
    /// public yet that they were granted and whose earlyAt has passed (Early = true). One script run.
    /// </summary>
    public async Task<(IReadOnlyList<(PerkDefinition Perk, bool Early)> News, long Total)> NewsAsync(string programId, string? memberId, int offset, int limit)
    {
        var r = (RedisResult[])(await scripts.ReadNews.RunAsync(redis.GetDatabase(), ScriptArgs<ReadNewsScript>.Build(new(
            RedisKeys.NewsByPublicAt(programId), RedisKeys.NewsByEarlyAt(programId), memberId is null ? [] : [RedisKeys.MemberGrants(programId, memberId)],
            ProgramTime.ToUnixMs(clock.GetUtcNow()), offset, limit, RedisKeys.PerkPrefix(programId)))))!;
        var news = new List<(PerkDefinition, bool)>();
        for (var i = 1; i + 2 < r.Length; i += 3)
        {
            news.Add((JsonSerializer.Deserialize<PerkDefinition>((string)r[i + 2]!, Json)!, (long)r[i + 1] == 1));
        }
        return (news, (long)r[0]);
    }
}

public enum CodesResult { Ok, NoPerk, Duplicates, PoolQuota, PerksQuota }

/// <summary>What became of codes sent to a pool: Count is the codes left (Ok), the duplicates found, or what the pool or program holds.</summary>
public sealed record CodesOutcome(CodesResult Result, long Count, IReadOnlyList<string> Duplicates);
