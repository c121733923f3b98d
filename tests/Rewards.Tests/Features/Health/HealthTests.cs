using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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
    public async Task Probes_NeedNoToken()
    {
        using var anonymous = Factory.CreateClient();
        Assert.Null(anonymous.DefaultRequestHeaders.Authorization);

        var live = await anonymous.GetAsync("/health/live");
        var ready = await anonymous.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready", (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task SwaggerUi_IsServed()
    {
        var response = await Client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync());
    }
}
