using System.ComponentModel.DataAnnotations;

namespace Rewards.Api.Features.Webhooks;

/// <summary>Webhook delivery and its SSRF guard (section Rewards:Webhooks; docs/webhooks.md).</summary>
public sealed class WebhooksOptions
{
    public const string Section = "Rewards:Webhooks";

    /// <summary>Run a dispatcher in this instance (every instance does by default; they share the work).</summary>
    public bool Dispatcher { get; set; } = true;

    /// <summary>Allow http:// endpoint URLs (always allowed in Development).</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Allow loopback, private, link-local, unique-local and other non-public addresses (always allowed in Development).</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Networks (CIDR, e.g. 10.20.0.0/16) endpoints may reach although they are not public.</summary>
    public string[] AllowedNetworks { get; set; } = [];

    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long an endpoint may fail (deliveries of new events, without one success) before it is disabled.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>Attempts kept in each endpoint's delivery log (the oldest go first).</summary>
    [Range(10, 100_000)]
    public int DeliveryLogLength { get; set; } = 1_000;

    /// <summary>Deliveries in flight at once per instance.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrency { get; set; } = 256;

    /// <summary>How often an idle dispatcher looks for new events and due retries.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a claimed delivery stays with its dispatcher; past it (a crashed instance) another takes it over.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:10:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);
}
