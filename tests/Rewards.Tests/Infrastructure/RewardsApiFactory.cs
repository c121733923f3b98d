using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Rewards.Tests.Infrastructure;

/// <summary>
/// One API per test run, against the real redis-server that scripts/test starts (ConnectionStrings__Redis).
/// Tests own their data through unique program ids; the clock is a fake each test sets when time matters.
/// </summary>
public sealed class RewardsApiFactory : WebApplicationFactory<Program>
{
    public static readonly DateTimeOffset DefaultNow = new(2026, 11, 18, 10, 0, 0, TimeSpan.Zero);

    public TestClock Clock { get; } = new(DefaultNow);

    public IConnectionMultiplexer Redis => Services.GetRequiredService<IConnectionMultiplexer>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ApiCollection : ICollectionFixture<RewardsApiFactory>
{
    public const string Name = "api";
}
