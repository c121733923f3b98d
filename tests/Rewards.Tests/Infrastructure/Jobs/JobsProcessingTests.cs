using Hangfire;
using Hangfire.States;
using Hangfire.Storage.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Leaderboards;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Infrastructure.Jobs;

/// <summary>
/// Hangfire end to end on the test Redis (one server, or a cluster with scripts/test --cluster): a job is enqueued,
/// fetched by the in-process job server, run, and its state recorded, all through the Redis storage.
/// </summary>
public sealed class JobsProcessingTests(RewardsApiFactory factory) : ApiTest(factory)
{
    [Fact]
    public async Task EnqueuedWindowClose_RunsOnTheJobServer_AndArchivesTheClosedDay()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        await RecordAsync(id, "alice", "review");
        Factory.SetUtcNow(new DateTimeOffset(2026, 11, 18, 23, 5, 0, TimeSpan.Zero)); // 00:05 on 19 Nov in Paris

        var jobId = Factory.Services.GetRequiredService<IBackgroundJobClient>()
            .Enqueue<WindowCloseJob>(job => job.CloseAsync(id, WindowKind.Day));
        var history = await Factory.WaitUntilFinishedAsync(jobId);

        Assert.True(history[0].StateName == SucceededState.StateName, Describe(history));
        var archive = await GetJsonAsync($"/v1/programs/{id}/leaderboards/points/archives/2026-11-18");
        Assert.Equal("alice", archive.GetProperty("entries")[0].GetProperty("memberId").GetString());
    }

    private static string Describe(IEnumerable<StateHistoryDto> history) =>
        "job states, newest first: " + string.Join(" <- ", history.Select(h =>
            $"{h.StateName} ({h.Reason}{(h.Data?.TryGetValue("ExceptionMessage", out var error) == true ? ": " + error : "")})"));
}
