namespace Rewards.Api.Features.Activities;

/// <summary>The bounds of recording and moderating an activity.</summary>
public static class ActivityLimits
{
    public const int MaxTargetIdLength = 128;
    public const int MaxReasonLength = 500;

    /// <summary>How far ahead of the server's clock an occurredAt may be (clients' clocks drift).</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromMinutes(5);

    /// <summary>Activities in one POST .../activities:batch.</summary>
    public const int MaxBatchActivities = 1_000;

    /// <summary>
    /// The body size of a batch: <see cref="MaxBatchActivities"/> items of up to about 1 KiB each (the longest key, ids, target and
    /// time with their JSON); other bodies are bounded by <c>HttpSetup.MaxBodyBytes</c>.
    /// </summary>
    public const long MaxBatchBodyBytes = MaxBatchActivities * 1024L;

    /// <summary>How far back an activity may be backdated.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(7);
}
