namespace Rewards.Api.Features.Members;

/// <summary>What the member list is narrowed to: one prefix search (id or display name) and the filters; null = any.</summary>
/// <param name="Tier">A tier number as the scripts store it (0 = no tier, 1 = the first tier...).</param>
public sealed record MemberListQuery(string? IdPrefix, string? NamePrefix, MemberStatus? Status, int? Tier, bool? Flagged);
