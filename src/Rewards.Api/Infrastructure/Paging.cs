using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Api.Infrastructure;

/// <summary>
/// Offset paging of lists, as the leaderboards page: `offset` (0 to <see cref="MaxOffset"/>) and `limit` (1 to
/// <see cref="MaxLimit"/>, default <see cref="DefaultLimit"/>); answers carry `total`, so a client knows when it is done.
/// </summary>
public static class Paging
{
    public const int MaxLimit = 100;
    public const int DefaultLimit = 20;
    public const int MaxOffset = 1_000_000;

    public const string Description = "Paged: `offset` (0 to 1,000,000, default 0) and `limit` (1 to 100, default 20); `total` counts every item.";

    public static Validation CheckPage(this Validation v, int? offset, int? limit) => v
        .Check(offset is null or >= 0 and <= MaxOffset, "offset", $"When given: 0 to {MaxOffset:N0}.")
        .Check(limit is null or >= 1 and <= MaxLimit, "limit", $"When given: 1 to {MaxLimit}.");
}
