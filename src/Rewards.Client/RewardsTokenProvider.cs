using Duende.IdentityModel.Client;
using Microsoft.Extensions.Options;

namespace Rewards.Client;

/// <summary>A token the API accepts, and when it stops being worth sending.</summary>
public sealed record RewardsToken(string AccessToken, DateTimeOffset ExpiresAt);

/// <summary>
/// Gets tokens from the API's token endpoint (found through discovery) with Duende.IdentityModel: the client-credentials
/// token of this backend, renewed before it expires (one request at a time, shared by every call), and member tokens for
/// apps (<c>urn:rewards:grant-type:member</c>, see docs/auth.md). Failures surface as <see cref="RewardsTokenException"/>.
/// </summary>
public sealed class RewardsTokenProvider(IHttpClientFactory httpClients, IOptionsMonitor<RewardsClientOptions> options, TimeProvider clock)
{
    public const string HttpClientName = "Rewards.Token";
    public const string MemberGrantType = "urn:rewards:grant-type:member";

    private readonly SemaphoreSlim _renewing = new(1, 1);
    private RewardsToken? _current;
    private string? _tokenEndpoint;

    /// <summary>This backend's token: the cached one while it has more than RenewBefore left, else a new one.</summary>
    public async Task<RewardsToken> GetClientTokenAsync(CancellationToken cancellationToken = default)
    {
        if (Fresh(_current) is { } token)
        {
            return token;
        }
        await _renewing.WaitAsync(cancellationToken);
        try
        {
            if (Fresh(_current) is { } renewed)
            {
                return renewed;
            }
            var o = options.CurrentValue;
            using var http = httpClients.CreateClient(HttpClientName);
            var response = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
            {
                Address = await TokenEndpointAsync(http, cancellationToken),
                ClientId = o.ClientId,
                ClientSecret = o.ClientSecret,
                Scope = o.Scope,
            }, cancellationToken);
            return _current = ToToken(response);
        }
        finally
        {
            _renewing.Release();
        }
    }

    /// <summary>Forgets the cached token (the API answered 401: revoked or rotated keys); the next call gets a new one.</summary>
    public void Invalidate(RewardsToken token) => Interlocked.CompareExchange(ref _current, null, token);

    /// <summary>A short-lived token for one member of this client's program, for an app to call the API as that member.</summary>
    public async Task<RewardsToken> GetMemberTokenAsync(string memberId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        var o = options.CurrentValue;
        using var http = httpClients.CreateClient(HttpClientName);
        var response = await http.RequestTokenAsync(new TokenRequest
        {
            Address = await TokenEndpointAsync(http, cancellationToken),
            GrantType = MemberGrantType,
            ClientId = o.ClientId,
            ClientSecret = o.ClientSecret,
            Parameters = { { "member_id", memberId } },
        }, cancellationToken);
        return ToToken(response);
    }

    private RewardsToken? Fresh(RewardsToken? token) =>
        token is not null && token.ExpiresAt - options.CurrentValue.RenewBefore > clock.GetUtcNow() ? token : null;

    private RewardsToken ToToken(TokenResponse response)
    {
        if (response.IsError || response.AccessToken is null)
        {
            throw new RewardsTokenException(response.Error ?? "token_request_failed",
                response.ErrorDescription ?? response.Exception?.Message ?? $"The token endpoint answered {(int)response.HttpStatusCode}.",
                response.Exception);
        }
        return new RewardsToken(response.AccessToken, clock.GetUtcNow().AddSeconds(response.ExpiresIn));
    }

    private async Task<string> TokenEndpointAsync(HttpClient http, CancellationToken cancellationToken)
    {
        if (_tokenEndpoint is { } known)
        {
            return known;
        }
        var o = options.CurrentValue;
        var authority = (o.Authority ?? o.BaseAddress ?? throw new InvalidOperationException("RewardsClientOptions.BaseAddress is not set."))
            .ToString().TrimEnd('/');
        var discovery = await http.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest
        {
            Address = authority,
            Policy = { RequireHttps = o.RequireHttps, ValidateEndpoints = false },
        }, cancellationToken);
        if (discovery.IsError || discovery.TokenEndpoint is null)
        {
            throw new RewardsTokenException("discovery_failed", discovery.Error ?? "The discovery document names no token endpoint.",
                discovery.Exception);
        }
        return _tokenEndpoint = discovery.TokenEndpoint;
    }
}

/// <summary>The token endpoint (or discovery) refused or failed: <see cref="Error"/> is the OAuth error code.</summary>
public sealed class RewardsTokenException(string error, string description, Exception? inner = null)
    : Exception($"{error}: {description}", inner)
{
    public string Error { get; } = error;

    public string Description { get; } = description;
}
