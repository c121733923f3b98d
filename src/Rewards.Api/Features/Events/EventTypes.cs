using System.Reflection;
using System.Text.Json;

namespace Rewards.Api.Features.Events;

/// <summary>
/// Names the event type whose <c>data</c> this record describes (its JSON schema in the OpenAPI document's components). The
/// Lua side names the same types in Scripts/codes.lua (<c>event</c>; LuaCodesTests checks both agree). Adding an event type:
/// one record here, its code in codes.lua, one <c>events.emit</c> in the script that makes the change.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class EventTypeAttribute(string type, string description) : Attribute
{
    public string Type { get; } = type;

    public string Description { get; } = description;
}

/// <summary>Every event type and the record of its data.</summary>
public static class EventTypes
{
    /// <summary>Type name → the record describing its data, in declaration order.</summary>
    public static readonly IReadOnlyDictionary<string, (Type Data, string Description)> All = typeof(EventTypes).Assembly.GetTypes()
        .Select(t => (Type: t, Attribute: t.GetCustomAttribute<EventTypeAttribute>()))
        .Where(x => x.Attribute is not null)
        .OrderBy(x => x.Attribute!.Type, StringComparer.Ordinal)
        .ToDictionary(x => x.Attribute!.Type, x => (x.Type, x.Attribute!.Description), StringComparer.Ordinal);

    public static bool IsKnown(string type) => All.ContainsKey(type);

    /// <summary>The schema name of a type's data in the OpenAPI document (its record's name).</summary>
    public static string SchemaOf(string type) => All[type].Data.Name;
}

/// <summary>
/// One event of a program's stream, as the API sends it (polling, live streams; webhooks carry the same envelope).
/// </summary>
/// <param name="Id">The stream id ("1764518400000-0"): unique in the program, increasing; resume after it.</param>
/// <param name="Type">The event type (see docs/events.md): the schema of `data` is the component named for it.</param>
/// <param name="MemberId">The member the event is about; absent for program events (leaderboard.period_closed).</param>
/// <param name="Sequence">The member's event sequence number (1, 2, ...), with no gaps in what was emitted for the member: a jump means a missed event (or one removed by retention).</param>
/// <param name="OccurredAt">When the change happened.</param>
/// <param name="Data">The type's data (a JSON object; its schema is named in docs/events.md).</param>
public sealed record ProgramEvent(string Id, string Type, string ProgramId, string? MemberId, long? Sequence, DateTimeOffset OccurredAt,
    JsonElement Data)
{
    /// <summary>The event of a stream entry (fields type, member, seq, at, data: events.lua).</summary>
    public static ProgramEvent FromEntry(string programId, string id, Func<string, string?> field)
    {
        var member = field("member");
        var seq = field("seq");
        using var data = JsonDocument.Parse(field("data") is { Length: > 0 } json ? json : "{}");
        return new ProgramEvent(id, field("type") ?? "", programId, string.IsNullOrEmpty(member) ? null : member,
            long.TryParse(seq, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : null,
            Infrastructure.Time.ProgramTime.FromUnixMs(long.Parse(field("at") ?? "0", System.Globalization.CultureInfo.InvariantCulture)),
            data.RootElement.Clone());
    }
}

// The data of each event type. Names are camelCase on the wire; absent (null) fields are left out.

/// <param name="TargetId">The activity's target, when it has one (not for referrals, whose target is a member).</param>
/// <param name="Points">Points awarded.</param>
/// <param name="Balance">The member's spendable balance after the award.</param>
[EventType("activity.awarded", "An activity earned points at once.")]
public sealed record ActivityAwardedData(string ActivityId, string Type, string? TargetId, long Points, long Balance, long LifetimePoints);

/// <param name="Reason">Why it waits beyond the rule's approval, when it does: `velocity` (held by the velocity rule).</param>
[EventType("activity.pending", "An activity's points wait for moderation (the rule requires approval, or the velocity rule held it).")]
public sealed record ActivityPendingData(string ActivityId, string Type, string? TargetId, long PendingPoints, string? Reason);

/// <param name="Reason">The moderator's reason, when given.</param>
[EventType("activity.approved", "A moderator approved a pending activity: its points are awarded.")]
public sealed record ActivityApprovedData(string ActivityId, string Type, string? Reason, long Points, long Balance, long LifetimePoints);

/// <param name="Reason">The moderator's reason, when given.</param>
[EventType("activity.rejected", "A moderator rejected a pending activity: it earns nothing. (An activity refused by a rule at recording emits no event.)")]
public sealed record ActivityRejectedData(string ActivityId, string Type, string? Reason);

/// <param name="Points">The points taken back (negative).</param>
[EventType("activity.reversed", "A moderator reversed (clawed back) an awarded activity.")]
public sealed record ActivityReversedData(string ActivityId, string Type, string? Reason, long Points, long Balance, long LifetimePoints);

/// <param name="ActivityId">The award, approval or reversal that moved the member (absent when an adjustment did).</param>
/// <param name="Tier">The member's tier number now: 0 = none, 1 = the program's first tier, ...</param>
/// <param name="PreviousTier">The tier number before (a reversal or a negative adjustment can lower it).</param>
/// <param name="AdjustmentId">The points adjustment (`countsTowardLifetime`) that moved the member (absent when an activity did).</param>
[EventType("member.tier_changed", "A member reached (or, after a reversal or a negative adjustment, dropped to) another tier.")]
public sealed record MemberTierChangedData(string? ActivityId, int Tier, int PreviousTier, string? AdjustmentId = null);

/// <param name="ActivityId">The award or approval that earned it (absent when an adjustment did).</param>
/// <param name="AdjustmentId">The points adjustment (`countsTowardLifetime`) that earned it (absent when an activity did).</param>
[EventType("member.badge_earned", "A member earned a badge (by an award, an approval or a points adjustment that counts toward lifetime).")]
public sealed record MemberBadgeEarnedData(string? ActivityId, string BadgeId, string? AdjustmentId = null);

/// <param name="ActivityId">The activity that went past the velocity limit.</param>
[EventType("member.flagged", "The velocity rule flagged a member for review.")]
public sealed record MemberFlaggedData(string ActivityId);

[EventType("member.suspended", "A member was suspended.")]
public sealed record MemberSuspendedData;

[EventType("member.reinstated", "A suspended member was reinstated.")]
public sealed record MemberReinstatedData;

[EventType("member.erased", "A member was erased (right to be forgotten); their earlier events are deleted from the stream.")]
public sealed record MemberErasedData;

/// <param name="RunId">The scheduled grant run that granted it (absent for a redemption's grant).</param>
/// <param name="RedemptionId">The redemption of a `perk` reward that granted it (absent for a scheduled grant).</param>
[EventType("perk.granted", "A perk was granted to a member (one event per member): by a scheduled grant run (`runId`) or by the confirmation of a redeemed `perk` reward (`redemptionId`, right after its `redemption.confirmed`).")]
public sealed record PerkGrantedData(string PerkId, string? RunId = null, string? RedemptionId = null);

[EventType("perk.claimed", "A member claimed an offer: a code was handed out (the code is not in the event).")]
public sealed record PerkClaimedData(string PerkId);

[EventType("invitation.accepted", "A member accepted an event invitation and has a seat.")]
public sealed record InvitationAcceptedData(string PerkId);

[EventType("invitation.waitlisted", "A member accepted an event invitation that was full: they are on its waitlist.")]
public sealed record InvitationWaitlistedData(string PerkId);

[EventType("invitation.promoted", "A seat was freed: the first waitlisted member got it.")]
public sealed record InvitationPromotedData(string PerkId);

[EventType("invitation.declined", "A member declined an event invitation (giving back their seat or waitlist place).")]
public sealed record InvitationDeclinedData(string PerkId);

/// <param name="Board">`points` or an activity type.</param>
/// <param name="Window">day, week or month.</param>
/// <param name="Period">The closed period's id; its archive is at `GET .../leaderboards/{board}/archives/{period}`.</param>
/// <param name="Total">Members on the board when it closed.</param>
[EventType("leaderboard.period_closed", "A leaderboard period ended and its archive (final top 100) is ready.")]
public sealed record LeaderboardPeriodClosedData(string Board, string Window, string Period, long Total);

/// <param name="Board">`points`: the all-time points board.</param>
/// <param name="ByMemberId">The member who passed them.</param>
/// <param name="ActivityId">The award (or approval) that moved that member.</param>
/// <param name="Rank">The overtaken member's rank now (1-based).</param>
/// <param name="Points">The overtaken member's points.</param>
[EventType("leaderboard.overtaken", "Another member's award moved them past this member inside the top 100 of the all-time points board.")]
public sealed record LeaderboardOvertakenData(string Board, string ByMemberId, string ActivityId, long Rank, long Points);

/// <param name="RedemptionId">The redemption (`GET .../redemptions/{redemptionId}`).</param>
/// <param name="Kind">The reward's kind: code, voucher, physical, perk, ...</param>
/// <param name="Points">Points the redemption cost (positive), taken from the balance now.</param>
/// <param name="HoldUntilUnixMs">For a hold: when it expires (unix ms) unless confirmed; absent when confirmed at once.</param>
/// <param name="Balance">The member's spendable balance after the redemption.</param>
[EventType("redemption.created", "A member redeemed a reward: its points are taken (held until confirmed when it is a hold). A redemption confirmed at once is followed by `redemption.confirmed` in the same run. Never carries a code or voucher.")]
public sealed record RedemptionCreatedData(string RedemptionId, string RewardId, string Kind, long Quantity, long Points, long? HoldUntilUnixMs, long Balance);

/// <param name="Points">Points spent for good.</param>
[EventType("redemption.confirmed", "A redemption is confirmed: at once without a hold, or when its hold is confirmed. A code or voucher is revealed to the member (not in the event); a physical reward waits for delivery; a perk is granted.")]
public sealed record RedemptionConfirmedData(string RedemptionId, string RewardId, string Kind, long Quantity, long Points);

/// <param name="Points">Points given back to the member (positive).</param>
/// <param name="PreviousState">`reserved` (a hold) or `confirmed`.</param>
/// <param name="Balance">The member's spendable balance after the refund.</param>
/// <param name="PerkWithdrawn">Only for a confirmed `perk` reward: true when the cancel took the granted perk back out of the member's inbox (it was unused), false when it stays (claimed or answered). No `perk.*` event of its own.</param>
[EventType("redemption.cancelled", "A reserved or confirmed redemption was cancelled: points refunded, stock back, a revealed code voided, an unused perk withdrawn (`perkWithdrawn`).")]
public sealed record RedemptionCancelledData(string RedemptionId, string RewardId, string Kind, long Quantity, long Points, string PreviousState, long Balance,
    bool? PerkWithdrawn = null);

/// <param name="Points">Points given back to the member (positive).</param>
/// <param name="PreviousState">Always `reserved`.</param>
/// <param name="Balance">The member's spendable balance after the refund.</param>
[EventType("redemption.expired", "A hold reached its holdUntil unconfirmed and was released (by the hold expiry job, the next redemption or a move of the redemption): points refunded, stock back.")]
public sealed record RedemptionExpiredData(string RedemptionId, string RewardId, string Kind, long Quantity, long Points, string PreviousState, long Balance);

[EventType("redemption.fulfilled", "A physical reward's delivery was recorded as delivered: the redemption is fulfilled. (Shipped and failed deliveries emit no event.)")]
public sealed record RedemptionFulfilledData(string RedemptionId, string RewardId, string Kind, long Quantity, long Points);

/// <param name="AdjustmentId">The adjustment (its ledger entry's id).</param>
/// <param name="Points">Points added (positive) or taken (negative).</param>
/// <param name="Reason">goodwill, correction, migration or other (the note, free text, is not in the event).</param>
/// <param name="CountsTowardLifetime">Whether it moved lifetime points, tier and the points board too.</param>
/// <param name="Balance">The member's spendable balance after it (may be negative).</param>
[EventType("points.adjusted", "A member's points were adjusted by hand (POST .../adjustments).")]
public sealed record PointsAdjustedData(string AdjustmentId, long Points, string Reason, bool CountsTowardLifetime, long Balance, long LifetimePoints);

/// <param name="ExpiryDate">The lot's expiry date: the last local day its points could be spent.</param>
/// <param name="Points">Points that expired from it.</param>
public sealed record ExpiredLot(DateOnly ExpiryDate, long Points);

/// <param name="Points">Points expired (positive): taken from the balance.</param>
/// <param name="Balance">The member's spendable balance after it.</param>
/// <param name="Lots">The lots that expired.</param>
[EventType("points.expired", "A member's points expired (the expiry job, once per lot: in the same run as the lot's removal and its ledger entry).")]
public sealed record PointsExpiredData(long Points, long Balance, IReadOnlyList<ExpiredLot> Lots);

/// <param name="ExpiresOn">The lot's expiry date: the last local day its points can be spent.</param>
/// <param name="ExpiresAt">The instant they expire: the local midnight that ends ExpiresOn in the program's time zone (UTC).</param>
/// <param name="Points">Points the lot holds now (what is left of it when part was spent).</param>
public sealed record ExpiringLot(DateOnly ExpiresOn, DateTimeOffset ExpiresAt, long Points);

/// <param name="Points">Points expiring: the sum of the lots announced.</param>
/// <param name="Balance">The member's spendable balance now.</param>
/// <param name="Lots">The lots announced, earliest first: those newly within the program's notice (expiringNoticeDays).</param>
[EventType("points.expiring", "A member's points will expire within the program's notice (expiringNoticeDays): the expiry job announces each lot " +
    "once, the first local day it is within the notice, with what it still holds.")]
public sealed record PointsExpiringData(long Points, long Balance, IReadOnlyList<ExpiringLot> Lots);
