using System.ComponentModel.DataAnnotations;

namespace Rewards.Api.Features.People;

/// <summary>Console people: invitations, passwords, sessions, sign-in limits, audit (section Rewards:People).</summary>
public sealed class PeopleOptions
{
    public const string Section = "Rewards:People";

    /// <summary>The page of the console that accepts an invitation; the token follows in the fragment (#token=...).</summary>
    [Required]
    public string InvitationUrl { get; set; } = "/console/accept-invitation";

    [Range(typeof(TimeSpan), "00:05:00", "30.00:00:00")]
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(3);

    /// <summary>A session ends after this long without a request.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A session ends this long after sign-in, however active.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "30.00:00:00")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Sessions a person may hold at once; signing in beyond it ends the oldest.</summary>
    [Range(1, 100)]
    public int MaxSessionsPerPerson { get; set; } = 10;

    /// <summary>NIST SP 800-63B-4: at least 15 characters for a password used alone (8 is the floor it allows with a second factor).</summary>
    [Range(8, 64)]
    public int MinPasswordLength { get; set; } = 15;

    /// <summary>Failed sign-ins of one account within <see cref="LockoutWindow"/> before it is locked until the window ends.</summary>
    [Range(1, 100)]
    public int MaxFailedSignIns { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LockoutWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Failed sign-ins one address may burst (per instance), refilled at <see cref="AddressFailuresPerMinute"/>.</summary>
    [Range(1, 1_000_000)]
    public int AddressFailureBurst { get; set; } = 30;

    [Range(0.01, 1_000_000)]
    public double AddressFailuresPerMinute { get; set; } = 10;

    /// <summary>Entries kept per audit log (each program's, and the operator's); older ones are dropped.</summary>
    [Range(100, 1_000_000)]
    public int AuditMaxEntries { get; set; } = 10_000;
}
