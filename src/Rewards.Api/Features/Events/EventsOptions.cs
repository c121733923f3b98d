using System.ComponentModel.DataAnnotations;

namespace Rewards.Api.Features.Events;

/// <summary>The program event streams' settings (section <c>Rewards:Events</c>, see docs/events.md).</summary>
public sealed class EventsOptions
{
    public const string Section = "Rewards:Events";

    /// <summary>
    /// Write events at all. Only for measuring what the outbox costs (scripts/bench events): with false nothing is emitted, so
    /// webhooks and live streams have nothing to send.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Events a program's stream keeps, about (XADD MAXLEN ~: Redis trims whole nodes, so a few more may stay).</summary>
    [Range(1_000, 100_000_000)]
    public long MaxLength { get; set; } = 1_000_000;

    /// <summary>How long events are kept (trimmed by time every 10 minutes by EventMaintenanceJob, XTRIM MINID).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often an idle live stream sends a heartbeat comment (proxies close silent connections).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Events queued for one live-stream client; a client that falls this far behind is dropped (with an end event).</summary>
    [Range(16, 100_000)]
    public int ClientBuffer { get; set; } = 1_000;

    /// <summary>The maximum length the scripts are given: 0 when events are off.</summary>
    public long ScriptMaxLength => Enabled ? MaxLength : 0;
}
