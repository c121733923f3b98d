using System.Text.Json.Serialization;

namespace Rewards.Api.Features.Leaderboards;

// The leaderboard codes: the wire strings are the `window` query values and the window segment of board keys (see WireCode).

/// <summary>A leaderboard window: all-time, or the program's local day, ISO week or month.</summary>
public enum WindowKind
{
    [JsonStringEnumMemberName("all")] All,
    [JsonStringEnumMemberName("day")] Day,
    [JsonStringEnumMemberName("week")] Week,
    [JsonStringEnumMemberName("month")] Month,
}
