using System.Net;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Health;

public sealed class HealthTests(RewardsApiFactory factory) : ApiTest(factory)
{
    [Fact]
    public async Task Live_AnswersOk()
    {
        var body = await GetJsonAsync("/health/live");
        Assert.Equal("live", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_AnswersOk_WhenRedisAnswers()
    {
        var body = await GetJsonAsync("/health/ready");
        Assert.Equal("ready", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task SwaggerUi_IsServed()
    {
        var response = await Client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync());
    }
}
