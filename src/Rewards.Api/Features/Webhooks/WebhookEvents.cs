using Rewards.Api.Features.Events;

namespace Rewards.Api.Features.Webhooks;

/// <param name="EndpointId">The endpoint disabled.</param>
/// <param name="Url">Its URL.</param>
/// <param name="Reason">`gone` (it answered 410) or `failing` (its deliveries of new events failed for 5 days).</param>
[EventType("webhook.disabled", "A webhook endpoint was disabled: it answered 410 Gone, or its deliveries failed for 5 days (docs/webhooks.md).")]
public sealed record WebhookDisabledData(string EndpointId, string Url, string Reason);
