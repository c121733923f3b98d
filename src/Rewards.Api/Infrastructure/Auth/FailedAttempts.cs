using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Rewards.Api.Infrastructure.Auth;

/// <summary>
/// Failed secret checks (token endpoint and dashboard Basic auth), counted per remote address and per client id, so that
/// guessing costs the guesser and not everyone: each has a token bucket of <c>TokenBurst</c> failures refilled at
/// <c>TokenPermitsPerSecond</c>. A request is refused before its secret is checked when its client id is out of budget
/// (that client id is under attack), or when its address is out of budget and the client id has not authenticated
/// successfully on this instance lately (a correct client behind the same address, e.g. an unconfigured load balancer,
/// keeps getting tokens). Successful requests use up nothing.
/// </summary>
public class FailedAttempts
{
    private readonly Func<(double PerSecond, int Burst)> _limits;

    public FailedAttempts(IOptions<RateLimitOptions> options) : this(() => (options.Value.TokenPermitsPerSecond, options.Value.TokenBurst))
    {
    }

    /// <summary>The same budgets with other limits (console sign-in: <see cref="Features.People.SignInAttempts"/>).</summary>
    protected FailedAttempts(Func<(double PerSecond, int Burst)> limits) => _limits = limits;

    private const int MaxKnownClients = 50_000;
    private const int MaxBuckets = 100_000;
    private static readonly TimeSpan KnownFor = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, Budget> _budgets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _recentlyAuthenticated = new(StringComparer.Ordinal);

    /// <summary>Seconds to wait when this attempt must be refused before its secret is checked; null when it may go on.</summary>
    public int? RefusalFor(string? address, string? clientId)
    {
        if (!string.IsNullOrEmpty(clientId) && IsExhausted(ClientKey(clientId)))
        {
            return RetryAfter;
        }
        if (IsExhausted(AddressKey(address)) && (string.IsNullOrEmpty(clientId) || !IsRecentlyAuthenticated(clientId)))
        {
            return RetryAfter;
        }
        return null;
    }

    /// <summary>Seconds until one more failure is allowed.</summary>
    private int RetryAfter => Math.Max(1, (int)Math.Ceiling(1 / _limits().PerSecond));

    public void Failed(string? address, string? clientId)
    {
        Spend(AddressKey(address));
        if (!string.IsNullOrEmpty(clientId))
        {
            Spend(ClientKey(clientId));
        }
    }

    public void Succeeded(string clientId)
    {
        if (_recentlyAuthenticated.Count >= MaxKnownClients)
        {
            _recentlyAuthenticated.Clear();
        }
        _recentlyAuthenticated[clientId] = Environment.TickCount64;
    }

    private bool IsRecentlyAuthenticated(string clientId) =>
        _recentlyAuthenticated.TryGetValue(clientId, out var at) && Environment.TickCount64 - at < KnownFor.TotalMilliseconds;

    private bool IsExhausted(string key) => _budgets.TryGetValue(key, out var budget) && budget.IsSpent(Environment.TickCount64, _limits());

    private void Spend(string key)
    {
        if (_budgets.Count >= MaxBuckets)
        {
            // Full budgets carry no information: drop them (an attacker spraying keys only makes us forget untouched ones).
            var now = Environment.TickCount64;
            foreach (var (k, b) in _budgets)
            {
                if (b.IsFull(now, _limits()))
                {
                    _budgets.TryRemove(k, out _);
                }
            }
        }
        _budgets.GetOrAdd(key, _ => new Budget(_limits().Burst)).Spend(Environment.TickCount64, _limits());
    }

    /// <summary>A token bucket of failures: TokenBurst deep, refilled continuously at TokenPermitsPerSecond.</summary>
    private sealed class Budget(double tokens)
    {
        private readonly Lock _lock = new();
        private double _tokens = tokens;
        private long _at = Environment.TickCount64;

        public bool IsSpent(long now, (double PerSecond, int Burst) limits)
        {
            lock (_lock)
            {
                Refill(now, limits);
                return _tokens < 1;
            }
        }

        public bool IsFull(long now, (double PerSecond, int Burst) limits)
        {
            lock (_lock)
            {
                Refill(now, limits);
                return _tokens >= limits.Burst;
            }
        }

        public void Spend(long now, (double PerSecond, int Burst) limits)
        {
            lock (_lock)
            {
                Refill(now, limits);
                _tokens = Math.Max(0, _tokens - 1);
            }
        }

        private void Refill(long now, (double PerSecond, int Burst) limits)
        {
            _tokens = Math.Min(limits.Burst, _tokens + (now - _at) / 1000.0 * limits.PerSecond);
            _at = now;
        }
    }

    private static string AddressKey(string? address) => "address:" + address;

    private static string ClientKey(string clientId) => "client:" + clientId;

    /// <summary>429 with Retry-After, as the API's rate limiter answers.</summary>
    public static async Task WriteRefusalAsync(HttpContext http, int retryAfter, string detail)
    {
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = StatusCodes.Status429TooManyRequests, Title = "Too many failed attempts", Detail = detail },
        });
    }
}
