using System.Threading.Channels;
using Rewards.Api.Infrastructure.Errors;
using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Activities;

/// <summary>
/// Group commit for awards. Concurrent awards queue here; while earlier batches are at Redis the queue fills, and the
/// next run of the award script carries every queued award of one program (one hash slot), decided in arrival order
/// exactly as separate runs would decide them. Under load this shares the fixed cost of a script run (dispatch,
/// argument handling, transaction and AOF framing, the round trip) between many awards; at low load a batch holds a
/// single award and nothing waits. A failed run fails its awards; their clients retry with the same Idempotency-Key
/// and get the original answer for any award the run did record.
/// </summary>
public sealed partial class AwardBatcher(IConnectionMultiplexer redis, RewardsScripts scripts, ILogger<AwardBatcher> logger)
    : BackgroundService
{
    public const int MaxBatch = 64;
    private const int MaxBatchesInFlight = 2;

    private readonly Channel<PendingAward> _queue = Channel.CreateUnbounded<PendingAward>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
    private readonly SemaphoreSlim _slots = new(MaxBatchesInFlight, MaxBatchesInFlight);

    /// <summary>Queues one award (its keys and arguments, built by <see cref="AwardScript"/>) and returns the script's reply for it.</summary>
    public Task<RedisResult> SubmitAsync(string programId, RedisKey[] keys, RedisValue[] args)
    {
        var pending = new PendingAward(programId, keys, args);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ServiceUnavailableException("The API is shutting down; no more awards are accepted.");
        }
        return pending.Reply.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                await _slots.WaitAsync(stoppingToken);
                var batch = new List<PendingAward>(MaxBatch);
                while (batch.Count < MaxBatch && reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                }
                _ = RunAsync(batch);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _queue.Writer.TryComplete();
            while (reader.TryRead(out var pending))
            {
                pending.Reply.TrySetException(new ServiceUnavailableException("The API is shutting down."));
            }
        }
    }

    private async Task RunAsync(List<PendingAward> batch)
    {
        try
        {
            await Task.WhenAll(batch.GroupBy(p => p.ProgramId, StringComparer.Ordinal).Select(g => RunProgramAsync([.. g])));
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task RunProgramAsync(PendingAward[] awards)
    {
        try
        {
            var keys = awards.Length == 1 ? awards[0].Keys : awards.SelectMany(a => a.Keys).ToArray();
            var args = awards.Length == 1 ? awards[0].Args : awards.SelectMany(a => a.Args).ToArray();
            var replies = (RedisResult[])(await scripts.Award.RunAsync(redis.GetDatabase(), keys, args))!;
            for (var i = 0; i < awards.Length; i++)
            {
                awards[i].Reply.TrySetResult(replies[i]);
            }
        }
        catch (Exception e)
        {
            LogBatchFailed(logger, e, awards.Length, awards[0].ProgramId);
            foreach (var award in awards)
            {
                award.Reply.TrySetException(e);
            }
        }
    }

    private sealed record PendingAward(string ProgramId, RedisKey[] Keys, RedisValue[] Args)
    {
        public TaskCompletionSource<RedisResult> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Award script run of {Count} awards of program {ProgramId} failed")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count, string programId);
}
