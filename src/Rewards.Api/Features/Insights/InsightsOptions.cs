using System.ComponentModel.DataAnnotations;

namespace Rewards.Api.Features.Insights;

/// <summary>How long KPI counters and ambassadors' daily points are kept (each day's keys expire this long after creation).</summary>
public sealed class InsightsOptions
{
    public const string Section = "Rewards:Insights";

    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 400;

    public long RetentionSeconds => RetentionDays * 86_400L;
}
