using System.ComponentModel.DataAnnotations;

namespace Rewards.Api.Infrastructure.Auth;

public sealed class AuthOptions
{
    public const string Section = "Rewards:Auth";

    /// <summary>The token issuer; every instance of one deployment uses the same, so they accept each other's tokens.</summary>
    [Required]
    public string Issuer { get; set; } = "https://rewards.local/";

    /// <summary>PEM file of the RSA signing key shared by all instances. Required outside Development.</summary>
    public string? SigningKeyPath { get; set; }

    /// <summary>Creates the key file when missing (dev mode: scripts/run keeps it under .data/).</summary>
    public bool CreateSigningKey { get; set; }

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Member tokens are short-lived: at most 15 minutes.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "00:15:00")]
    public TimeSpan MemberTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);
}

public sealed class AdminOptions
{
    public const string Section = "Rewards:Admin";

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ClientId) && !string.IsNullOrWhiteSpace(ClientSecret);
}

public sealed class RateLimitOptions
{
    public const string Section = "Rewards:RateLimit";

    /// <summary>Sustained requests per second per client (token bucket refill).</summary>
    [Range(1, 1_000_000)]
    public int PermitsPerSecond { get; set; } = 1000;

    /// <summary>Requests a client may burst above the sustained rate.</summary>
    [Range(1, 1_000_000)]
    public int Burst { get; set; } = 2000;

    /// <summary>Token requests per second per address: clients keep a token for its lifetime, so few are needed.</summary>
    [Range(1, 1_000_000)]
    public int TokenPermitsPerSecond { get; set; } = 10;

    /// <summary>Token requests an address may burst above the sustained rate (a fleet of instances starting at once).</summary>
    [Range(1, 1_000_000)]
    public int TokenBurst { get; set; } = 100;
}
