using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Catalogue;

/// <summary>Helpers of the reward tests: a program whose rules give exact balances, rewards, redemptions over HTTP.</summary>
public abstract class RewardApiTest(RewardsApiFactory factory) : ApiTest(factory)
{
    /// <summary>'gift' gives 100 points, 'tip' 1 point: any balance is a few activities away.</summary>
    protected Task<string> CreateRewardsProgramAsync(object? redemptions = null, string timeZone = "Europe/Paris", string? pointsExpiry = null) =>
        CreateProgramAsync(new
    {
        timeZone,
        pointsExpiry,
        rules = new Dictionary<string, object> { ["gift"] = new { points = 100 }, ["tip"] = new { points = 1 } },
        tiers = new[] { new { name = "Bronze", minLifetimePoints = 0 }, new { name = "Gold", minLifetimePoints = 1000 } },
        badges = new[] { new { id = "tipper", name = "Tipper", when = new { activityType = "tip", count = 3 } } },
        redemptions,
    });

    /// <summary>Brings the member's balance up by <paramref name="points"/> (hundreds as gifts, the rest as tips).</summary>
    protected async Task GiveAsync(string programId, string memberId, int points)
    {
        for (var i = 0; i < points / 100; i++)
        {
            await RecordAsync(programId, memberId, "gift");
        }
        for (var i = 0; i < points % 100; i++)
        {
            await RecordAsync(programId, memberId, "tip");
        }
    }

    protected async Task<string> CreateRewardAsync(string programId, object body) =>
        (await PostJsonAsync($"/v1/programs/{programId}/rewards", body, HttpStatusCode.Created)).GetProperty("reward").GetProperty("rewardId").GetString()!;

    protected static object Voucher(long cost, long? stock = null, object? limit = null, DateTimeOffset? availableFrom = null,
        DateTimeOffset? availableUntil = null, object? audience = null) =>
        new { kind = "voucher", title = new { @default = "Free coffee" }, costPoints = cost, stock, limit, availableFrom, availableUntil, audience };

    protected Task<HttpResponseMessage> RedeemAsync(string programId, string memberId, object body, string? key = null, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{programId}/members/{memberId}/redemptions") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return (client ?? Client).SendAsync(request);
    }

    /// <summary>Redeems and expects 201; answers the redemption.</summary>
    protected async Task<JsonElement> RedeemOkAsync(string programId, string memberId, object body)
    {
        var response = await RedeemAsync(programId, memberId, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>Expects a refusal with this status and reason; answers the problem.</summary>
    protected static async Task<JsonElement> AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(reason, problem.GetProperty("reason").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    protected async Task<long> BalanceAsync(string programId, string memberId) =>
        (await GetMemberAsync(programId, memberId)).GetProperty("balance").GetInt64();

    protected async Task<JsonElement> RewardAsync(string programId, string rewardId) =>
        await GetJsonAsync($"/v1/programs/{programId}/rewards/{rewardId}");

    protected Task<JsonElement> MoveAsync(string programId, string memberId, string redemptionId, string action,
        HttpStatusCode expected = HttpStatusCode.OK) =>
        PostJsonAsync($"/v1/programs/{programId}/members/{memberId}/redemptions/{redemptionId}/{action}", null, expected);

    protected async Task AssertLedgerSumsToBalanceAsync(string programId, string memberId)
    {
        var ledger = await GetLedgerAsync(programId, memberId);
        Assert.Equal(ledger.Sum(e => e.GetProperty("points").GetInt64()), await BalanceAsync(programId, memberId));
    }
}
