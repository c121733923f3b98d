using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Rewards.Api.Infrastructure.Auth;
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
}
