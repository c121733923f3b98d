using System.Net;
using System.Net.Http.Headers;

namespace Rewards.Client;

/// <summary>
/// Gives every write (POST, PUT, PATCH, DELETE) an <c>Idempotency-Key</c> when the caller gave none (or a blank one). It runs
/// before the retries, so every retry of one call carries the same key and the API answers a replay, never a second award.
/// Pass your own key (e.g. derived from your order or event id) to make retries across process restarts safe too.
/// </summary>
public sealed class IdempotencyKeyHandler : DelegatingHandler
{
    public const string Header = "Idempotency-Key";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method != HttpMethod.Get && request.Method != HttpMethod.Head && request.Method != HttpMethod.Options
            && (!request.Headers.TryGetValues(Header, out var values) || values.All(string.IsNullOrWhiteSpace)))
        {
            request.Headers.Remove(Header);
            request.Headers.TryAddWithoutValidation(Header, NewKey());
        }
        return base.SendAsync(request, cancellationToken);
    }

    /// <summary>A fresh key: 128 random bits.</summary>
    public static string NewKey() => Guid.NewGuid().ToString("N");
}

/// <summary>
/// Sends this backend's bearer token (<see cref="RewardsTokenProvider"/>) unless the call carries its own (a member token);
/// on a 401 it renews the token once and sends the call again.
/// </summary>
public sealed class RewardsAuthenticationHandler(RewardsTokenProvider tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is not null)
        {
            return await base.SendAsync(request, cancellationToken);
        }
        var token = await tokens.GetClientTokenAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }
        response.Dispose();
        tokens.Invalidate(token);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (await tokens.GetClientTokenAsync(cancellationToken)).AccessToken);
        return await base.SendAsync(request, cancellationToken);
    }
}
