using System.Diagnostics;
using Hangfire;
using Hangfire.States;
using Hangfire.Storage.Monitoring;
using Microsoft.Extensions.DependencyInjection;

namespace Rewards.Tests.Infrastructure;

/// <summary>Waits on jobs the in-process Hangfire server performs (in real time: the job server does not run on the fake clock).</summary>
public static class HangfireJobs
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>The job's state history, newest first, once it succeeded or failed, or when <see cref="Patience"/> ran out.</summary>
    public static async Task<IList<StateHistoryDto>> WaitUntilFinishedAsync(this RewardsApiFactory factory, string jobId)
    {
        var monitoring = factory.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var history = monitoring.JobDetails(jobId)?.History ?? [];
            var latest = history.Count > 0 ? history[0].StateName : null;
            if (latest == SucceededState.StateName || latest == FailedState.StateName || waited.Elapsed > Patience)
            {
                return history.Count > 0 ? history : [new StateHistoryDto { StateName = "(none)" }];
            }
            await Task.Delay(100);
        }
    }
}
