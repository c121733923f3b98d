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

    /// <summary>How often each instance reads the revocation logs: a revoked client or suspended member is refused within about this.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:05")]
    public TimeSpan RevocationPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How far in the future a token's <c>nbf</c> may be (clock differences between instances).</summary>
    public static readonly TimeSpan NotBeforeSkew = TimeSpan.FromSeconds(30);
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

    /// <summary>
    /// Failed secret checks (token endpoint, dashboard Basic auth) per second, per address and per client id; a correct
    /// secret uses up nothing.
    /// </summary>
    [Range(0.001, 1_000_000)]
    public double TokenPermitsPerSecond { get; set; } = 10;

    /// <summary>Failed secret checks an address or a client id may burst above the sustained rate.</summary>
    [Range(1, 1_000_000)]
    public int TokenBurst { get; set; } = 100;

    /// <summary>Sustained requests per second of all the member tokens of one client together (each member also has its own bucket).</summary>
    [Range(1, 1_000_000)]
    public int MemberAggregatePermitsPerSecond { get; set; } = 1000;

    /// <summary>Requests all the member tokens of one client may burst above their aggregate rate.</summary>
    [Range(1, 1_000_000)]
    public int MemberAggregateBurst { get; set; } = 2000;
}
