using Rewards.Api.Features.Activities;
using Rewards.Api.Features.Gamification;
using Rewards.Api.Features.Members;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure;

namespace Rewards.Api.Features.Demo;

public sealed class DemoOptions
{
    /// <summary>Seeds the demo program at start-up when it does not exist yet (scripts/run turns it on in dev mode).</summary>
    public bool Seed { get; set; }
}

/// <summary>
/// Dev mode only: a newcomer running scripts/run sees a non-empty program at once. Runs once (the program id is
/// the marker), through the same stores and award script as the API.
/// </summary>
public sealed partial class DemoSeeder(ProgramStore programs, MemberStore members, ActivityStore activities, TimeProvider clock,
    ILogger<DemoSeeder> logger) : BackgroundService
{
    public const string ProgramId = "demo";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await SeedAsync();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogNotSeeded(logger, e);
        }
    }

    private async Task SeedAsync()
    {
        var definition = new ProgramDefinition(ProgramId, "Demo Community", "Europe/Paris", new Dictionary<string, EarningRule>
        {
            ["review"] = new(50, DailyCap: 3, UniquePerTarget: true),
            ["share"] = new(10, DailyCap: 10, CooldownSeconds: 60),
            ["vote"] = new(2, UniquePerTarget: true, WeeklyCap: 100),
            ["comment"] = new(5, DailyCap: 20),
            ["checkin"] = new(20, DailyCap: 1),
        },
        Tiers: [new Tier("Bronze", 0), new Tier("Silver", 60), new Tier("Gold", 150)],
        Badges:
        [
            new Badge("first-review", "First review", new BadgeCondition(ActivityType: "review", Count: 1)),
            new Badge("regular", "Regular", new BadgeCondition(StreakDays: 3)),
            new Badge("century", "Century", new BadgeCondition(LifetimePoints: 100)),
        ],
        Velocity: new VelocityRule(30));
        var (outcome, program) = await programs.CreateAsync(definition);
        if (outcome != SaveOutcome.Saved)
        {
            return; // seeded on an earlier run
        }

        (string Id, string Name, string Locale)[] people =
            [("alice", "Alice Martin", "fr-FR"), ("bruno", "Bruno Petit", "fr-FR"), ("chloe", "Chloé Durand", "fr-FR"),
             ("david", "David Moreau", "en-GB"), ("emma", "Emma Laurent", "fr-FR")];
        foreach (var p in people)
        {
            await members.UpsertAsync(program!, p.Id, p.Name, p.Locale);
        }

        var now = clock.GetUtcNow();
        (string Member, string Type, string? Target, int MinutesAgo)[] contributions =
        [
            ("alice", "review", "sneaker-01", 300), ("alice", "share", null, 240), ("alice", "vote", "poll-7", 200),
            ("alice", "checkin", "store-paris", 120), ("bruno", "review", "sneaker-02", 280), ("bruno", "comment", "post-3", 90),
            ("chloe", "share", null, 60), ("chloe", "vote", "poll-7", 55), ("chloe", "comment", "post-3", 50),
            ("david", "checkin", "store-lyon", 45), ("emma", "vote", "poll-7", 30), ("emma", "review", "sneaker-01", 20),
        ];
        foreach (var c in contributions)
        {
            var activityId = Ids.NewId();
            await activities.AwardAsync(new AwardCommand(program!, program!.Definition.Rules[c.Type], activityId, activityId, activityId,
                c.Member, c.Type, c.Target, now.AddMinutes(-c.MinutesAgo), now));
        }
        LogSeeded(logger, ProgramId, people.Length, contributions.Length);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo program '{ProgramId}' seeded with {Members} members and {Activities} activities")]
    private static partial void LogSeeded(ILogger logger, string programId, int members, int activities);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo program not seeded: Redis unavailable")]
    private static partial void LogNotSeeded(ILogger logger, Exception exception);
}

public static class DemoSetup
{
    public static IServiceCollection AddDemoFeature(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Rewards:Demo").Get<DemoOptions>() ?? new DemoOptions();
        if (options.Seed)
        {
            services.AddHostedService<DemoSeeder>();
        }
        return services;
    }
}
