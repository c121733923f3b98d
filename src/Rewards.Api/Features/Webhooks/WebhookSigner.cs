using System.Security.Cryptography;
using System.Text;

namespace Rewards.Api.Features.Webhooks;

/// <summary>
/// Standard Webhooks signatures (https://www.standardwebhooks.com): a secret is <c>whsec_</c> + base64 of random bytes; a
/// delivery carries <c>webhook-id</c>, <c>webhook-timestamp</c> (unix seconds) and <c>webhook-signature</c>, space-separated
/// <c>v1,</c> + base64(HMAC-SHA256(secret bytes, "id.timestamp.body")), one per valid secret (two while a rotated-out one lives).
/// </summary>
public static class WebhookSigner
{
    public const string SecretPrefix = "whsec_";
    public const int SecretBytes = 24;

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretBytes));

    /// <summary>The current secret, then the previous one while it is still valid.</summary>
    public static string[] ValidSecrets(string secret, string oldSecret, long oldSecretUntilMs, long nowMs) =>
        oldSecret.Length > 0 && oldSecretUntilMs > nowMs ? [secret, oldSecret] : [secret];

    public static string Signature(string secret, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
        var prefix = Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    /// <summary>The webhook-signature header: one signature per secret, space separated.</summary>
    public static string Header(IEnumerable<string> secrets, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        var signatures = new List<string>();
        foreach (var secret in secrets)
        {
            signatures.Add(Signature(secret, messageId, timestamp, body));
        }
        return string.Join(' ', signatures);
    }
}
