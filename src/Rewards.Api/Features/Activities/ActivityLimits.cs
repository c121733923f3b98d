namespace Rewards.Api.Features.Activities;

/// <summary>The bounds of recording and moderating an activity.</summary>
public static class ActivityLimits
{
    public const int MaxTargetIdLength = 128;
    public const int MaxReasonLength = 500;

    /// <summary>How far ahead of the server's clock an occurredAt may be (clients' clocks drift).</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromMinutes(5);

    /// <summary>How far back an activity may be backdated.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(7);
}
