using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Client;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Client;

/// <summary>
/// The generated .NET client (src/Rewards.Client) against the real API, the way a brand backend registers it
/// (<c>AddRewardsClient</c>): tokens through discovery with Duende.IdentityModel, idempotency keys kept across retries,
/// retries honouring Retry-After, problems as typed exceptions.
/// </summary>
public sealed class RewardsClientTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private const string Rules = """{ "review": { "points": 50 } }""";

    [Fact]
    public async Task A_brand_backend_awards_an_activity_and_reads_the_member_with_the_generated_client()
    {
        var programId = await CreateProgramAsync(Rules);
        var (clientId, secret) = await CreateApiClientAsync(programId, "rewards.activities", "rewards.read");
        using var services = Services(clientId, secret);
        var api = services.GetRequiredService<IRewardsApiClient>();

        var key = IdempotencyKeyHandler.NewKey();
        var first = await api.RecordActivityAsync(programId, key, new RecordActivityRequest { MemberId = "alice", Type = "review", TargetId = "p1" });
        var replay = await api.RecordActivityAsync(programId, key, new RecordActivityRequest { MemberId = "alice", Type = "review", TargetId = "p1" });
        var member = await api.GetMemberAsync(programId, "alice");

        Assert.Equal(ActivityResultStatus.Awarded, first.Status);
        Assert.Equal(first.ActivityId, replay.ActivityId);
        Assert.Equal(50, member.Balance);
    }

    [Fact]
    public async Task A_lost_answer_is_retried_with_the_same_idempotency_key_and_awards_once()
    {
        var programId = await CreateProgramAsync(Rules);
        var (clientId, secret) = await CreateApiClientAsync(programId, "rewards.activities", "rewards.read");
        // The first activity call reaches the API, then its answer is lost (a 503 from a proxy): the retry must replay it.
        var transport = new FlakyTransport(Factory.Server.CreateHandler(), request =>
            request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/activities", StringComparison.Ordinal));
        using var services = Services(clientId, secret, transport);
        var api = services.GetRequiredService<IRewardsApiClient>();

        // A blank key is replaced by a generated one (the generated signature requires the argument).
        var result = await api.RecordActivityAsync(programId, "", new RecordActivityRequest { MemberId = "bob", Type = "review", TargetId = "p1" });
        var member = await api.GetMemberAsync(programId, "bob");

        Assert.Equal(2, transport.Attempts);
        Assert.Single(transport.IdempotencyKeys.Distinct());
        Assert.False(string.IsNullOrWhiteSpace(transport.IdempotencyKeys[0]));
        Assert.Equal(ActivityResultStatus.Awarded, result.Status);
        Assert.Equal(50, member.Balance);
    }

    [Fact]
    public async Task A_429_is_retried_after_the_delay_Retry_After_asks_for()
    {
        var programId = await CreateProgramAsync(Rules);
        var (clientId, secret) = await CreateApiClientAsync(programId, "rewards.read");
        var transport = new ThrottlingTransport(Factory.Server.CreateHandler(), retryAfterSeconds: 1);
        using var services = Services(clientId, secret, transport);
        var api = services.GetRequiredService<IRewardsApiClient>();

        var watch = Stopwatch.StartNew();
        var card = await api.GetProgramAsync(programId);

        Assert.Equal(programId, card.Id);
        Assert.Equal(2, transport.ApiAttempts);
        // The configured first delay is 200 ms: waiting a second is Retry-After's doing.
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(900), $"retried after {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task A_refusal_surfaces_as_a_typed_problem()
    {
        var programId = await CreateProgramAsync(Rules);
        var (clientId, secret) = await CreateApiClientAsync(programId, "rewards.activities");
        using var services = Services(clientId, secret);
        var api = services.GetRequiredService<IRewardsApiClient>();

        var error = await Assert.ThrowsAnyAsync<RewardsApiException>(() =>
            api.RecordActivityAsync(programId, IdempotencyKeyHandler.NewKey(), new RecordActivityRequest { MemberId = "carol", Type = "unknown-type" }));
        var problem = error.Problem();
        var invalid = await Assert.ThrowsAnyAsync<RewardsApiException>(() =>
            api.RecordActivityAsync(programId, IdempotencyKeyHandler.NewKey(), new RecordActivityRequest { MemberId = "bad id!", Type = "review" }));

        Assert.Equal(400, invalid.StatusCode);
        Assert.Contains("memberId", invalid.Problem()!.Errors.Keys, StringComparer.OrdinalIgnoreCase);

        Assert.Equal(422, error.StatusCode);
        Assert.NotNull(problem);
        Assert.Equal(422, problem!.Status);
        Assert.Contains("unknown-type", problem.Detail);
    }

    [Fact]
    public async Task Tokens_are_renewed_before_they_expire_and_member_tokens_are_minted()
    {
        var programId = await CreateProgramAsync(Rules);
        var (clientId, secret) = await CreateApiClientAsync(programId, "rewards.activities", "rewards.read");
        var transport = new CountingTransport(Factory.Server.CreateHandler());
        // Renewing a day before expiry: every call finds its token too old and renews it.
        using var services = Services(clientId, secret, transport, o => o.RenewBefore = TimeSpan.FromDays(1));
        var api = services.GetRequiredService<IRewardsApiClient>();

        await api.GetProgramAsync(programId);
        await api.GetProgramAsync(programId);
        var tokens = services.GetRequiredService<RewardsTokenProvider>();
        await api.RecordActivityAsync(programId, IdempotencyKeyHandler.NewKey(), new RecordActivityRequest { MemberId = "dana", Type = "review", TargetId = "p1" });
        var memberToken = await tokens.GetMemberTokenAsync("dana");
        using var app = Factory.CreateClient(memberToken.AccessToken);
        var me = await app.GetAsync($"/v1/programs/{programId}/members/me");

        Assert.Equal(3, transport.TokenRequests - 1); // three client tokens (one per call) and one member token
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var refused = await Assert.ThrowsAsync<RewardsTokenException>(() => tokens.GetMemberTokenAsync("nobody-here"));
        Assert.Equal("invalid_grant", refused.Error);
    }

    private ServiceProvider Services(string clientId, string secret, HttpMessageHandler? transport = null,
        Action<RewardsClientOptions>? configure = null) => Services(Factory, clientId, secret, transport, configure);

    /// <summary>The client registered as a brand backend would, talking to the test server (or through <paramref name="transport"/>).</summary>
    internal static ServiceProvider Services(RewardsApiFactory factory, string clientId, string secret, HttpMessageHandler? transport = null,
        Action<RewardsClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddRewardsClient(o =>
        {
            // The test host answers any host name; the issuer the tests configure is https://rewards.test/.
            o.BaseAddress = new Uri("https://rewards.test/");
            o.ClientId = clientId;
            o.ClientSecret = secret;
            o.RetryDelay = TimeSpan.FromMilliseconds(200);
            configure?.Invoke(o);
        }).UseRewardsPrimaryHandler(() => transport ?? factory.Server.CreateHandler());
        return services.BuildServiceProvider();
    }

    /// <summary>Forwards every call; the first matching one is forwarded too, but its answer is replaced by a 503.</summary>
    private sealed class FlakyTransport(HttpMessageHandler inner, Func<HttpRequestMessage, bool> matches) : DelegatingHandler(inner)
    {
        public int Attempts;
        public List<string> IdempotencyKeys { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (!matches(request))
            {
                return response;
            }
            IdempotencyKeys.Add(request.Headers.GetValues(IdempotencyKeyHandler.Header).Single());
            return Interlocked.Increment(ref Attempts) == 1 ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) : response;
        }
    }

    /// <summary>Answers the first API call (not the token endpoint) 429 with Retry-After.</summary>
    private sealed class ThrottlingTransport(HttpMessageHandler inner, int retryAfterSeconds) : DelegatingHandler(inner)
    {
        public int ApiAttempts;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!request.RequestUri!.AbsolutePath.StartsWith("/v1/", StringComparison.Ordinal) || Interlocked.Increment(ref ApiAttempts) > 1)
            {
                return base.SendAsync(request, cancellationToken);
            }
            var throttled = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            throttled.Headers.RetryAfter = new(TimeSpan.FromSeconds(retryAfterSeconds));
            return Task.FromResult(throttled);
        }
    }

    private sealed class CountingTransport(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public int TokenRequests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath == "/connect/token")
            {
                Interlocked.Increment(ref TokenRequests);
            }
            return base.SendAsync(request, cancellationToken);
        }
    }
}
