namespace Rewards.Api.Features.Activities;

/// <summary>
/// How long an activity's detail (its hash: target, times, status, the slots it holds) is kept once decided: awarded or
/// rejected when recorded, or approved, rejected or reversed by a moderator (each renews it from that moment). A pending
/// activity keeps its detail until moderated. Afterwards GET answers 410 and moderation 409; the member's ledger keeps the
/// activity's entries for good. A change applies to activities decided from then on (and to those the migration job
/// dates: LedgerMigrationJob).
/// </summary>
public sealed class ActivityOptions
{
    public const string Section = "Rewards:Activities";

    public TimeSpan DetailRetention { get; set; } = TimeSpan.FromDays(90);

    public long DetailRetentionSeconds => (long)DetailRetention.TotalSeconds;

    /// <summary>"90 days", "36 hours": how a problem says the retention.</summary>
    public string DetailRetentionText => DetailRetention.TotalDays >= 1 && DetailRetention.TotalDays == Math.Floor(DetailRetention.TotalDays)
        ? $"{DetailRetention.TotalDays:0} day{(DetailRetention.TotalDays == 1 ? "" : "s")}"
        : $"{DetailRetention.TotalHours:0.##} hours";
}
