using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Rewards.Client;

/// <summary>
/// Event types and the generated class of each one's data, for consumers of <c>ListEvents</c>, live streams and webhooks
/// (the same envelope, <see cref="ProgramEvent"/>). The list copies the OpenAPI document's <c>x-event-type</c> extensions:
/// <c>RewardsEventsTests</c> fails when they disagree.
/// </summary>
public static class RewardsEvents
{
    /// <summary>Each event type the API emits and the class of its data.</summary>
    public static IReadOnlyDictionary<string, Type> DataTypes { get; } = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        ["activity.approved"] = typeof(ActivityApprovedData),
        ["activity.awarded"] = typeof(ActivityAwardedData),
        ["activity.pending"] = typeof(ActivityPendingData),
        ["activity.rejected"] = typeof(ActivityRejectedData),
        ["activity.reversed"] = typeof(ActivityReversedData),
        ["invitation.accepted"] = typeof(InvitationAcceptedData),
        ["invitation.declined"] = typeof(InvitationDeclinedData),
        ["invitation.promoted"] = typeof(InvitationPromotedData),
        ["invitation.waitlisted"] = typeof(InvitationWaitlistedData),
        ["leaderboard.overtaken"] = typeof(LeaderboardOvertakenData),
        ["leaderboard.period_closed"] = typeof(LeaderboardPeriodClosedData),
        ["member.badge_earned"] = typeof(MemberBadgeEarnedData),
        ["member.erased"] = typeof(MemberErasedData),
        ["member.flagged"] = typeof(MemberFlaggedData),
        ["member.reinstated"] = typeof(MemberReinstatedData),
        ["member.suspended"] = typeof(MemberSuspendedData),
        ["member.tier_changed"] = typeof(MemberTierChangedData),
        ["perk.claimed"] = typeof(PerkClaimedData),
        ["perk.granted"] = typeof(PerkGrantedData),
        ["points.adjusted"] = typeof(PointsAdjustedData),
        ["points.expired"] = typeof(PointsExpiredData),
        ["points.expiring"] = typeof(PointsExpiringData),
        ["redemption.cancelled"] = typeof(RedemptionCancelledData),
        ["redemption.confirmed"] = typeof(RedemptionConfirmedData),
        ["redemption.created"] = typeof(RedemptionCreatedData),
        ["redemption.expired"] = typeof(RedemptionExpiredData),
        ["redemption.fulfilled"] = typeof(RedemptionFulfilledData),
        ["webhook.disabled"] = typeof(WebhookDisabledData),
    };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The event's data as <typeparamref name="T"/> when the event is of the type whose data <typeparamref name="T"/> is
    /// (e.g. <c>PointsExpiringData</c> for <c>points.expiring</c>); false for another type, an unknown one or no data.
    /// </summary>
    public static bool TryGetData<T>(this ProgramEvent programEvent, [NotNullWhen(true)] out T? data) where T : class
    {
        // DataOf reads the data as its type's class: of T only when the event is of T's type (no data class derives from another).
        data = DataOf(programEvent) as T;
        return data is not null;
    }

    /// <summary>The event's data as the class of its type (see <see cref="DataTypes"/>), or null for an unknown type or no data.</summary>
    public static object? DataOf(ProgramEvent programEvent)
    {
        ArgumentNullException.ThrowIfNull(programEvent);
        if (programEvent.Type is not { } type || !DataTypes.TryGetValue(type, out var dataType))
        {
            return null;
        }
        return programEvent.Data switch
        {
            JsonElement element when element.ValueKind == JsonValueKind.Object => element.Deserialize(dataType, Json),
            { } other when dataType.IsInstanceOfType(other) => other,
            _ => null,
        };
    }
}
