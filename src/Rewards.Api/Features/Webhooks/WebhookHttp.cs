using System.Net;
using System.Net.Sockets;

namespace Rewards.Api.Features.Webhooks;

/// <summary>
/// The SSRF guard: which endpoint URLs are accepted, and which addresses a delivery may connect to. The address check runs at
/// connect time on the address DNS resolved (<see cref="SocketsHttpHandler.ConnectCallback"/>), so a name that resolves to a
/// private address, or rebinds to one after the URL was accepted, is refused too. Redirects are never followed.
/// </summary>
public sealed class WebhookAddressPolicy(bool allowHttp, bool allowPrivateNetworks, IReadOnlyList<IPNetwork> allowedNetworks)
{
    public static WebhookAddressPolicy From(WebhooksOptions options, bool development) => new(
        options.AllowHttp || development, options.AllowPrivateNetworks || development,
        options.AllowedNetworks.Select(n => IPNetwork.Parse(n)).ToList());

    public bool AllowHttp => allowHttp;

    /// <summary>Why the URL is refused, or null: absolute http(s) (https only unless allowed), no credentials, no fragment, not a non-public literal address.</summary>
    public string? Refusal(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.Host.Length == 0)
        {
            return "an absolute https URL (for example https://crm.example.com/hooks/rewards).";
        }
        if (uri.Scheme == "http" && !allowHttp)
        {
            return "an https URL: plain http is refused (the operator may allow it with Rewards:Webhooks:AllowHttp).";
        }
        if (uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
        {
            return "a URL without user name, password or fragment.";
        }
        var host = uri.Host.Trim('[', ']');
        if (!IsAllowed(host))
        {
            return $"a URL of a public host: '{uri.Host}' is a loopback, private, link-local or otherwise non-public address " +
                "(the operator may allow such networks with Rewards:Webhooks:AllowPrivateNetworks or AllowedNetworks).";
        }
        return null;
    }

    /// <summary>A host name or address literal: names are checked when they resolve; 'localhost' names the machine itself.</summary>
    private bool IsAllowed(string host) =>
        IPAddress.TryParse(host, out var address) ? IsAllowed(address)
        : allowPrivateNetworks || !(host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase));

    public bool IsAllowed(IPAddress address) =>
        allowPrivateNetworks || IsPublic(address) || allowedNetworks.Any(n => n.Contains(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address));

    /// <summary>Public unicast: not loopback, private (RFC 1918), shared (100.64/10), link-local, unique-local, multicast, reserved or unspecified.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] is 0 or 10 or 127 || b[0] >= 224 // this network, private, loopback, multicast and reserved (224/3)
                || (b[0] == 100 && b[1] is >= 64 and <= 127) // shared address space
                || (b[0] == 169 && b[1] == 254) // link-local (cloud metadata)
                || (b[0] == 172 && b[1] is >= 16 and <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2) // IETF protocol assignments, TEST-NET-1
                || (b[0] == 198 && b[1] is 18 or 19) // benchmarking
                || (b[0] == 198 && b[1] == 51 && b[2] == 100) || (b[0] == 203 && b[1] == 0 && b[2] == 113));
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return !(IPAddress.IPv6Loopback.Equals(address) || IPAddress.IPv6None.Equals(address)
                || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xfe) == 0xfc // unique local fc00::/7
                || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) // documentation
                || (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)); // NAT64: would reach IPv4 behind it
        }
        return false;
    }

    /// <summary>The delivery handler: no redirects, no cookies, the address check at connect time.</summary>
    public SocketsHttpHandler CreateHandler(TimeSpan connectTimeout) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        ConnectTimeout = connectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2), // DNS changes reach deliveries
        MaxConnectionsPerServer = 256,
        ConnectCallback = async (context, cancellation) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellation);
            var allowed = addresses.FirstOrDefault(IsAllowed)
                ?? throw new HttpRequestException($"refused: {host} resolves to no public address ({string.Join(", ", addresses.Select(a => a.ToString()))}); " +
                    "see Rewards:Webhooks:AllowPrivateNetworks and AllowedNetworks");
            var socket = new Socket(allowed.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(allowed, context.DnsEndPoint.Port), cancellation);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
