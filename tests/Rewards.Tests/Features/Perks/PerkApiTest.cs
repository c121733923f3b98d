using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Perks;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Perks;

/// <summary>Helpers of the perk tests: creating perks, granting them as Hangfire would, reading inboxes.</summary>
public abstract class PerkApiTest(RewardsApiFactory factory) : ApiTest(factory)
{
    protected const string Rules = """{ "review": { "points": 50 }, "share": { "points": 10 } }""";

    protected PerkGrantJob Job => Factory.Services.GetRequiredService<PerkGrantJob>();

    protected static object Later => new { type = "at", at = RewardsApiFactory.FarFuture }; // never fires during the test

    protected static object Members(params string[] ids) => new { type = "members", memberIds = ids };

    protected static object News(string title, DateTimeOffset earlyAt, DateTimeOffset publicAt, object audience, Dictionary<string, string>? body = null) =>
        new { kind = "news", title, news = new { body = body ?? new Dictionary<string, string> { ["default"] = title }, earlyAt, publicAt }, audience, schedule = Later };

    protected async Task<string> CreatePerkAsync(string programId, object body) =>
        (await PostJsonAsync($"/v1/programs/{programId}/perks", body, HttpStatusCode.Created)).GetProperty("perk").GetProperty("perkId").GetString()!;

    /// <summary>Members created straight in Redis, as a bulk import would (only the fields grants read).</summary>
    protected async Task SeedMembersAsync(string programId, int count)
    {
        var db = Factory.Redis.GetDatabase();
        await Task.WhenAll(Enumerable.Range(0, count).SelectMany(i => new Task[]
        {
            db.HashSetAsync($"rw:{{{programId}}}:m:s-{i}", [new("status", "active"), new("balance", 0), new("lifetime", 0), new("createdAt", 0)]),
            db.SortedSetAddAsync($"rw:{{{programId}}}:members", $"s-{i}", i),
        }));
    }

    protected async Task<JsonElement[]> InboxAsync(string programId, string memberId) =>
        [.. (await GetJsonAsync($"/v1/programs/{programId}/members/{memberId}/perks?limit=100")).GetProperty("perks").EnumerateArray()];
}
