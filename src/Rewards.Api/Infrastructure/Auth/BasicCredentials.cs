using System.Text;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Rewards.Api.Infrastructure.Auth;

/// <summary>An HTTP Basic <c>Authorization</c> header's id and secret (null when the header is not Basic or is malformed).</summary>
public sealed record BasicCredentials(string Id, string Secret)
{
    /// <param name="urlEncoded">OAuth2's client_secret_basic form-urlencodes both parts first (RFC 6749 §2.3.1).</param>
    public static BasicCredentials? Parse(string header, bool urlEncoded = false)
    {
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = pair.IndexOf(':');
            if (colon <= 0)
            {
                return null;
            }
            var (id, secret) = (pair[..colon], pair[(colon + 1)..]);
            return urlEncoded ? new BasicCredentials(Uri.UnescapeDataString(id.Replace('+', ' ')), Uri.UnescapeDataString(secret.Replace('+', ' ')))
                : new BasicCredentials(id, secret);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>
/// The discovery document names its endpoints from the configured issuer, never from the request's Host header (which
/// any caller chooses): <c>token_endpoint</c> and <c>jwks_uri</c> under <c>Rewards:Auth:Issuer</c>.
/// </summary>
public sealed class DiscoveryFromIssuer(IOptions<AuthOptions> auth) : IOpenIddictServerHandler<HandleConfigurationRequestContext>
{
    public const string JwksPath = ".well-known/jwks";

    public ValueTask HandleAsync(HandleConfigurationRequestContext context)
    {
        var issuer = new Uri(auth.Value.Issuer.EndsWith('/') ? auth.Value.Issuer : auth.Value.Issuer + "/");
        context.Issuer = issuer;
        context.TokenEndpoint = new Uri(issuer, AuthSetup.TokenPath.TrimStart('/'));
        context.JsonWebKeySetEndpoint = new Uri(issuer, JwksPath);
        return default;
    }
}
