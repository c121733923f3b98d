using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Programs;

/// <summary>Per-program quotas: defaults from configuration, operator overrides, and every quota refusing with 409 and changing nothing.</summary>
public sealed class QuotaTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private const string Rules = """{ "review": { "points": 50 } }""";

    private static object Later => new { type = "at", at = RewardsApiFactory.FarFuture }; // never fires during the test

    private static object News(string title = "Preview") => new
    {
        kind = "news", title, news = new { body = new { @default = "Soon" }, earlyAt = RewardsApiFactory.DefaultNow, publicAt = RewardsApiFactory.DefaultNow.AddDays(1) },
        audience = new { type = "all" }, schedule = Later,
    };

    private static object Offer(object offer, object? schedule = null) =>
        new { kind = "offer", title = "Offer", offer, audience = new { type = "all" }, schedule = schedule ?? Later };

    private Task<JsonElement> SetQuotasAsync(string programId, object overrides) => PutJsonAsync($"/v1/programs/{programId}/quotas", overrides);

    private async Task<JsonElement> PutJsonAsync(string url, object body)
    {
        var response = await Client.PutAsJsonAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"PUT {url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>A 409 problem naming the quota, its limit and what the request needed, and saying how to get more.</summary>
    private static async Task<JsonElement> AssertQuotaExceededAsync(HttpResponseMessage response, string quota, long limit, long? requested = null)
    {
        await AssertProblemAsync(response, HttpStatusCode.Conflict);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Quota exceeded", problem.GetProperty("title").GetString());
        Assert.Equal(quota, problem.GetProperty("quota").GetString());
        Assert.Equal(limit, problem.GetProperty("limit").GetInt64());
        if (requested is not null)
        {
            Assert.Equal(requested, problem.GetProperty("requested").GetInt64());
        }
        Assert.Contains($"'{quota}'", problem.GetProperty("detail").GetString());
        Assert.Contains("/quotas", problem.GetProperty("detail").GetString()); // how to get more
        return problem;
    }

    private async Task<long> PerkCountAsync(string programId) =>
        (await GetJsonAsync($"/v1/programs/{programId}/perks")).GetProperty("total").GetInt64();

    [Fact]
    public async Task Quotas_HaveConfiguredDefaults_AndTheOperatorOverridesThemPerProgram()
    {
        var id = await CreateProgramAsync(Rules);
        var other = await CreateProgramAsync(Rules);

        var defaults = (await GetJsonAsync($"/v1/programs/{id}/quotas")).GetProperty("quotas");
        Assert.Equal((1_000, 100_000, 10_000, 20, 60), (defaults.GetProperty("maxPerks").GetInt32(), defaults.GetProperty("maxCodesPerPool").GetInt32(),
            defaults.GetProperty("maxCodesPerRequest").GetInt32(), defaults.GetProperty("maxClients").GetInt32(),
            defaults.GetProperty("minCronIntervalMinutes").GetInt32()));

        var raised = await SetQuotasAsync(id, new { maxPerks = 5_000, minCronIntervalMinutes = 15 });
        Assert.Equal(5_000, raised.GetProperty("quotas").GetProperty("maxPerks").GetInt32());
        Assert.Equal(15, raised.GetProperty("quotas").GetProperty("minCronIntervalMinutes").GetInt32());
        Assert.Equal(20, raised.GetProperty("quotas").GetProperty("maxClients").GetInt32()); // not overridden: the default
        Assert.Equal(1_000, raised.GetProperty("defaults").GetProperty("maxPerks").GetInt32());
        Assert.Equal(5_000, (await GetJsonAsync($"/v1/programs/{id}/quotas")).GetProperty("overrides").GetProperty("maxPerks").GetInt32());
        Assert.Equal(1_000, (await GetJsonAsync($"/v1/programs/{other}/quotas")).GetProperty("quotas").GetProperty("maxPerks").GetInt32());

        var reset = await SetQuotasAsync(id, new { });
        Assert.Equal(1_000, reset.GetProperty("quotas").GetProperty("maxPerks").GetInt32());
        await AssertProblemAsync(await Client.PutAsJsonAsync($"/v1/programs/{id}/quotas", new { maxPerks = 0 }), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await Client.PutAsJsonAsync($"/v1/programs/{id}/quotas", new { maxCodesPerRequest = 1_000_000 }), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task QuotasEndpoint_IsTheOperatorsAlone()
    {
        var id = await CreateProgramAsync(Rules);
        using var marketer = await ClientOfProgramAsync(id, Scopes.Perks, Scopes.Activities, Scopes.Read);

        Assert.Equal(HttpStatusCode.Forbidden, (await marketer.GetAsync($"/v1/programs/{id}/quotas")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await marketer.PutAsJsonAsync($"/v1/programs/{id}/quotas", new { maxPerks = 100_000 })).StatusCode);
        Assert.Equal(1_000, (await GetJsonAsync($"/v1/programs/{id}/quotas")).GetProperty("quotas").GetProperty("maxPerks").GetInt32());
    }

    [Fact]
    public async Task DefaultsComeFromConfiguration_AndAnInvalidOneStopsTheStart()
    {
        using var configured = Factory.WithWebHostBuilder(b => b
            .UseSetting("Rewards:Jobs:Server", "false")
            .UseSetting("Rewards:Quotas:MaxPerks", "2"));
        using var client = configured.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", await Factory.AdminTokenAsync());
        var id = await CreateProgramAsync(Rules);

        Assert.Equal(2, (await client.GetFromJsonAsync<JsonElement>($"/v1/programs/{id}/quotas")).GetProperty("quotas").GetProperty("maxPerks").GetInt32());
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/v1/programs/{id}/perks", News())).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/v1/programs/{id}/perks", News())).StatusCode);
        await AssertQuotaExceededAsync(await client.PostAsJsonAsync($"/v1/programs/{id}/perks", News()), "maxPerks", 2);

        using var misconfigured = Factory.WithWebHostBuilder(b => b
            .UseSetting("Rewards:Jobs:Server", "false")
            .UseSetting("Rewards:Quotas:MaxCodesPerRequest", "0"));
        var refused = Assert.Throws<OptionsValidationException>(() => misconfigured.CreateClient());
        Assert.Contains("MaxCodesPerRequest", refused.Message);
        Factory.RestoreHangfireGlobals();
    }

    [Fact]
    public async Task PerksBeyondTheQuota_AreRefused_UntilOneIsDeleted()
    {
        var id = await CreateProgramAsync(Rules);
        await SetQuotasAsync(id, new { maxPerks = 2 });
        await PostJsonAsync($"/v1/programs/{id}/perks", News(), HttpStatusCode.Created);
        var second = (await PostJsonAsync($"/v1/programs/{id}/perks", News(), HttpStatusCode.Created)).GetProperty("perk").GetProperty("perkId").GetString();

        await AssertQuotaExceededAsync(await Client.PostAsJsonAsync($"/v1/programs/{id}/perks", News("Third")), "maxPerks", 2, 3);
        Assert.Equal(2, await PerkCountAsync(id));

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/perks/{second}")).StatusCode);
        await PostJsonAsync($"/v1/programs/{id}/perks", News("Third"), HttpStatusCode.Created);
    }

    [Fact]
    public async Task ConcurrentCreationsAtTheLimit_NeverPassItTogether()
    {
        var id = await CreateProgramAsync(Rules);
        await SetQuotasAsync(id, new { maxPerks = 5 });

        var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Client.PostAsJsonAsync($"/v1/programs/{id}/perks", News($"n{i}"))));

        Assert.Equal(5, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.Equal(25, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(5, await PerkCountAsync(id));
    }

    [Fact]
    public async Task TooManyCodesInOneRequest_AreRefused_BeforeAnythingIsWritten()
    {
        var id = await CreateProgramAsync(Rules);

        // 186 bytes that asked for 100,000 codes.
        await AssertQuotaExceededAsync(await Client.PostAsJsonAsync($"/v1/programs/{id}/perks", Offer(new { generateCodes = 100_000 })),
            "maxCodesPerRequest", 10_000, 100_000);
        Assert.Equal(0, await PerkCountAsync(id));
        Assert.Empty(await Factory.KeysAsync($"rw:{{{id}}}:perk*"));

        await SetQuotasAsync(id, new { maxCodesPerRequest = 3 });
        await AssertQuotaExceededAsync(await Client.PostAsJsonAsync($"/v1/programs/{id}/perks",
            Offer(new { codes = new[] { "A1", "A2" }, generateCodes = 2 })), "maxCodesPerRequest", 3, 4);
        var perkId = (await PostJsonAsync($"/v1/programs/{id}/perks", Offer(new { codes = new[] { "A1" }, generateCodes = 2 }), HttpStatusCode.Created))
            .GetProperty("perk").GetProperty("perkId").GetString();
        await AssertQuotaExceededAsync(await Client.PostAsJsonAsync($"/v1/programs/{id}/perks/{perkId}/codes", new { codes = new[] { "B1", "B2", "B3", "B4" } }),
            "maxCodesPerRequest", 3, 4);
        Assert.Equal(3, (await GetJsonAsync($"/v1/programs/{id}/perks/{perkId}")).GetProperty("codesLeft").GetInt64());
    }

    [Fact]
    public async Task APoolHoldsAtMostItsQuota_ClaimedCodesIncluded_EvenUnderConcurrentAppends()
    {
        var id = await CreateProgramAsync(Rules);
        await SetQuotasAsync(id, new { maxCodesPerPool = 10 });
        await AssertQuotaExceededAsync(await Client.PostAsJsonAsync($"/v1/programs/{id}/perks", Offer(new { generateCodes = 11 })), "maxCodesPerPool", 10, 11);
        var perkId = (await PostJsonAsync($"/v1/programs/{id}/perks", Offer(new { codes = new[] { "C0", "C1" } }), HttpStatusCode.Created))
            .GetProperty("perk").GetProperty("perkId").GetString();

        // Four appends of two codes fit (2 + 8 = 10); eight race for them.
        var answers = await Task.WhenAll(Enumerable.Range(1, 8).Select(i =>
            Client.PostAsJsonAsync($"/v1/programs/{id}/perks/{perkId}/codes", new { codes = new[] { $"X{i}-a", $"X{i}-b" } })));

        Assert.Equal(4, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        await AssertQuotaExceededAsync(answers.First(a => a.StatusCode == HttpStatusCode.Conflict), "maxCodesPerPool", 10, 12);
        Assert.Equal(10, (await GetJsonAsync($"/v1/programs/{id}/perks/{perkId}")).GetProperty("codesLeft").GetInt64());
    }

    [Fact]
    public async Task ClientsBeyondTheQuota_AreRefused_EvenConcurrently_AndARevocationFreesAPlace()
    {
        var id = await CreateProgramAsync(Rules);
        await SetQuotasAsync(id, new { maxClients = 3 });

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            Client.PostAsJsonAsync($"/v1/programs/{id}/clients", new { name = $"c{i}", scopes = new[] { Scopes.Read } })));

        var created = answers.Where(a => a.StatusCode == HttpStatusCode.Created).ToList();
        Assert.Equal(3, created.Count);
        await AssertQuotaExceededAsync(answers.First(a => a.StatusCode == HttpStatusCode.Conflict), "maxClients", 3);
        Assert.Equal(3, (await GetJsonAsync($"/v1/programs/{id}/clients")).GetProperty("total").GetInt64());

        var revoked = (await created[0].Content.ReadFromJsonAsync<JsonElement>()).GetProperty("clientId").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/clients/{revoked}")).StatusCode);
        await PostJsonAsync($"/v1/programs/{id}/clients", new { name = "replacement", scopes = new[] { Scopes.Read } }, HttpStatusCode.Created);
        await AssertQuotaExceededAsync(await Client.PostAsJsonAsync($"/v1/programs/{id}/clients", new { name = "one more", scopes = new[] { Scopes.Read } }),
            "maxClients", 3);
    }

    [Theory]
    [InlineData("* * * * *", 1)]             // every minute, for the whole audience
    [InlineData("0,30 9 * * *", 30)]         // twice in an hour once a day
    [InlineData("*/15 * * * MON", 15)]
    public async Task CronSchedulesMoreFrequentThanTheMinimum_AreRefused(string cron, int everyMinutes)
    {
        var id = await CreateProgramAsync(Rules);
        var schedule = new { type = "cron", cron, timeZone = "Europe/Paris" };

        await AssertQuotaExceededAsync(await Client.PostAsJsonAsync($"/v1/programs/{id}/perks", Offer(new { generateCodes = 5 }, schedule)),
            "minCronIntervalMinutes", 60, everyMinutes);
        Assert.Equal(0, await PerkCountAsync(id));

        await SetQuotasAsync(id, new { minCronIntervalMinutes = everyMinutes });
        var perkId = (await PostJsonAsync($"/v1/programs/{id}/perks", Offer(new { generateCodes = 5 }, schedule), HttpStatusCode.Created))
            .GetProperty("perk").GetProperty("perkId").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/perks/{perkId}")).StatusCode); // no recurring job left
    }

    [Theory]
    [InlineData("0 9 * * MON")]
    [InlineData("0 * * * *")] // hourly: exactly the default minimum, DST changes included
    [InlineData("0 9,17 * * *")]
    public async Task CronSchedulesAtLeastTheMinimumApart_AreAccepted(string cron)
    {
        var id = await CreateProgramAsync(Rules);
        var perkId = (await PostJsonAsync($"/v1/programs/{id}/perks",
            Offer(new { generateCodes = 5 }, new { type = "cron", cron, timeZone = "Europe/Paris" }), HttpStatusCode.Created))
            .GetProperty("perk").GetProperty("perkId").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{id}/perks/{perkId}")).StatusCode);
    }
}
