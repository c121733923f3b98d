using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Leaderboards;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Jobs;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Infrastructure.Jobs;

public sealed class JobsDashboardTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private static AuthenticationHeaderValue Basic(string id, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{secret}")));

    [Fact]
    public async Task Dashboard_IsTheOperatorsOnly()
    {
        var program = await CreateProgramAsync("{}");
        using var anonymous = Factory.CreateClient();
        using var programClient = await ClientOfProgramAsync(program, Scopes.Activities, Scopes.Read, Scopes.Perks);
        using var wrongBasic = Factory.CreateClient();
        wrongBasic.DefaultRequestHeaders.Authorization = Basic(RewardsApiFactory.AdminClientId, "not-the-secret");
        using var operatorBasic = Factory.CreateClient();
        operatorBasic.DefaultRequestHeaders.Authorization = Basic(RewardsApiFactory.AdminClientId, RewardsApiFactory.AdminClientSecret);

        var refused = await anonymous.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains(refused.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        Assert.Equal(HttpStatusCode.Forbidden, (await programClient.GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrongBasic.GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await operatorBasic.GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/hangfire")).StatusCode); // the operator's bearer token
    }

    private bool RecurringJobExists(string id)
    {
        using var connection = Factory.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetRecurringJobs().Any(j => j.Id == id);
    }

    [Fact]
    public async Task Dashboard_IsReadOnly_NeverFramed_AndRefusesCrossSitePosts_EvenWithOperatorCredentials()
    {
        var id = $"test:csrf-{Guid.NewGuid():N}";
        Factory.Services.GetRequiredService<IRecurringJobManager>()
            .AddOrUpdate<WindowCloseJob>(id, job => job.CloseAllAsync(LeaderboardWindow.Periodic[0]), Cron.Yearly());
        try
        {
            using var browser = Factory.CreateClient();
            browser.DefaultRequestHeaders.Authorization = Basic(RewardsApiFactory.AdminClientId, RewardsApiFactory.AdminClientSecret);

            var page = await browser.GetAsync("/hangfire/recurring");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single());

            foreach (var command in new[] { "/hangfire/recurring/remove", "/hangfire/recurring/trigger" })
            {
                // What a form on another site makes the operator's browser send (Basic credentials included).
                var crossSite = new HttpRequestMessage(HttpMethod.Post, command)
                {
                    Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["jobs[]"] = id }),
                };
                crossSite.Headers.Add("Origin", "https://evil.example");
                crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
                var refused = await browser.SendAsync(crossSite);
                Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

                // Browsers without Sec-Fetch-Site: Origin, else Referer, names the other site.
                foreach (var (header, value) in new[] { ("Origin", "https://evil.example"), ("Referer", "https://evil.example/page") })
                {
                    var older = new HttpRequestMessage(HttpMethod.Post, command)
                    {
                        Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["jobs[]"] = id }),
                    };
                    older.Headers.Add(header, value);
                    Assert.Equal(HttpStatusCode.Forbidden, (await browser.SendAsync(older)).StatusCode);
                }

                // Even from the dashboard's own origin, commands are refused: jobs are managed through the API.
                var sameSite = new HttpRequestMessage(HttpMethod.Post, command)
                {
                    Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["jobs[]"] = id }),
                };
                sameSite.Headers.Add("Sec-Fetch-Site", "same-origin");
                Assert.False((await browser.SendAsync(sameSite)).IsSuccessStatusCode);
            }

            Assert.True(RecurringJobExists(id));
            using var connection = Factory.Services.GetRequiredService<JobStorage>().GetConnection();
            Assert.Null(connection.GetRecurringJobs().Single(j => j.Id == id).LastExecution);
        }
        finally
        {
            Factory.Services.GetRequiredService<IRecurringJobManager>().RemoveIfExists(id);
        }
    }

    [Fact]
    public async Task Dashboard_BasicGuessing_IsLimitedLikeTheTokenEndpoint()
    {
        using var limited = Factory.WithWebHostBuilder(b => b
            .UseSetting("Rewards:Jobs:Server", "false")
            .UseSetting("Rewards:RateLimit:TokenPermitsPerSecond", "0.01")
            .UseSetting("Rewards:RateLimit:TokenBurst", "3"));
        using var guesser = limited.CreateClient();

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 10; i++)
        {
            guesser.DefaultRequestHeaders.Authorization = Basic(RewardsApiFactory.AdminClientId, $"guess-{i}");
            answers.Add(await guesser.GetAsync("/hangfire"));
        }

        var limitedAnswers = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.True(limitedAnswers.Count is >= 5 and <= 7, string.Join(",", answers.Select(a => (int)a.StatusCode)));
        Assert.All(answers.Take(3), a => Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode));
        Assert.All(limitedAnswers, a => Assert.True(a.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void DevelopmentBanner_SaysWhatTheDashboardReallyRequires()
    {
        var run = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "scripts", "run"));

        Assert.Contains(JobsSetup.DashboardAccess(development: true), run);
        Assert.Contains(JobsSetup.DashboardAccess(development: false), run);
        Assert.Contains("without credentials", JobsSetup.DashboardAccess(development: true));
        Assert.DoesNotContain("HTTP Basic with the admin client id and secret)", run);
    }
}
