using Hangfire;
using Hangfire.States;
using Hangfire.Storage.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Leaderboards;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Jobs;

/// <summary>
/// Hangfire end to end on the test Redis (one server, or a cluster with scripts/test --cluster): a job is enqueued,
/// fetched by the in-process job server, run, and its state recorded, all through the Redis storage.
/// </summary>
public sealed class JobsProcessingTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EnqueuedWindowClose_RunsOnTheJobServer_AndArchivesTheClosedDay()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        await RecordAsync(id, "alice", "review");
        Factory.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 18, 23, 5, 0, TimeSpan.Zero)); // 00:05 on 19 Nov in Paris

        var jobId = Factory.Services.GetRequiredService<IBackgroundJobClient>()
            .Enqueue<WindowCloseJob>(job => job.CloseAsync(id, WindowKind.Day));
        var history = await WaitUntilFinishedAsync(jobId);

        Assert.True(history[0].StateName == SucceededState.StateName, Describe(history));
        var archive = await GetJsonAsync($"/v1/programs/{id}/leaderboards/points/archives/2026-11-18");
        Assert.Equal("alice", archive.GetProperty("entries")[0].GetProperty("memberId").GetString());
    }

    /// <summary>The job's state history, newest first, once it succeeded, failed or the patience ran out.</summary>
    private async Task<IList<StateHistoryDto>> WaitUntilFinishedAsync(string jobId)
    {
        var monitoring = Factory.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var history = monitoring.JobDetails(jobId)?.History ?? [];
            var latest = history.Count > 0 ? history[0].StateName : null;
            if (latest == SucceededState.StateName || latest == FailedState.StateName || DateTime.UtcNow > deadline)
            {
                return history.Count > 0 ? history : [new StateHistoryDto { StateName = "(none)" }];
            }
            await Task.Delay(100);
        }
    }

    private static string Describe(IEnumerable<StateHistoryDto> history) =>
        "job states, newest first: " + string.Join(" <- ", history.Select(h =>
            $"{h.StateName} ({h.Reason}{(h.Data?.TryGetValue("ExceptionMessage", out var error) == true ? ": " + error : "")})"));
}
