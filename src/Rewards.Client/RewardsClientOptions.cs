namespace Rewards.Client;

/// <summary>Where the Rewards API is and how this backend signs in to it (an API client of one program).</summary>
public sealed class RewardsClientOptions
{
    /// <summary>The API's base address, e.g. <c>https://rewards.example.com/</c>.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>
    /// The token issuer (its discovery document is read from <c>.well-known/openid-configuration</c>); the base address
    /// when null.
    /// </summary>
    public Uri? Authority { get; set; }

    /// <summary>The API client's id (<c>rc_...</c>) and secret, as <c>POST /v1/programs/{programId}/clients</c> returned them.</summary>
    public string ClientId { get; set; } = "";

    public string ClientSecret { get; set; } = "";

    /// <summary>Space-separated scopes to ask for; null asks for every scope the client holds.</summary>
    public string? Scope { get; set; }

    /// <summary>Discovery over plain http (development only).</summary>
    public bool RequireHttps { get; set; } = true;

    /// <summary>A token is renewed this long before it expires.</summary>
    public TimeSpan RenewBefore { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries of a failed call (network error, 408, 429, 5xx), honouring Retry-After; 0 turns retries off.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry's delay (exponential with jitter after it).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);
}
