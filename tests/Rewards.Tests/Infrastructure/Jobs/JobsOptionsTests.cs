using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Infrastructure.Jobs;

public sealed class JobsOptionsTests(RewardsApiFactory factory) : ApiTest(factory)
{
    /// <summary>A server timeout within a few heartbeats would have live servers removed as dead, and their jobs run twice.</summary>
    [Fact]
    public void Startup_IsRefused_WhenServerTimeoutIsShorterThanThreeHeartbeats()
    {
        using var misconfigured = Factory.WithWebHostBuilder(b => b
            .UseSetting("Rewards:Jobs:Server", "false")
            .UseSetting("Rewards:Jobs:HeartbeatInterval", "00:00:30")
            .UseSetting("Rewards:Jobs:ServerTimeout", "00:01:00"));

        var refused = Assert.Throws<OptionsValidationException>(() => misconfigured.CreateClient());

        Assert.Contains("Rewards:Jobs:ServerTimeout", refused.Message);
    }
}
