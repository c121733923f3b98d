using System.ComponentModel.DataAnnotations;

namespace Rewards.Api.Features.Quotas;

/// <summary>
/// Default quotas of every program (section <c>Rewards:Quotas</c>), so that one tenant cannot fill the shared Redis.
/// The operator overrides them per program (<c>PUT /v1/programs/{programId}/quotas</c>); the ranges are those an
/// override may take too (<see cref="QuotaRanges"/>).
/// </summary>
public sealed class QuotasOptions
{
    public const string Section = "Rewards:Quotas";

    /// <summary>Perks a program holds at once (deleted perks do not count).</summary>
    [Range(1, QuotaRanges.MaxPerks)]
    public int MaxPerks { get; set; } = 1_000;

    /// <summary>Codes an offer's pool ever holds, claimed ones included (they stay reserved so no code is handed out twice).</summary>
    [Range(1, QuotaRanges.MaxCodesPerPool)]
    public int MaxCodesPerPool { get; set; } = 100_000;

    /// <summary>Codes one request adds: listed plus generated, at creation or through POST .../codes.</summary>
    [Range(1, QuotaRanges.MaxCodesPerRequest)]
    public int MaxCodesPerRequest { get; set; } = 10_000;

    /// <summary>Active (not revoked) API clients of a program.</summary>
    [Range(1, QuotaRanges.MaxClients)]
    public int MaxClients { get; set; } = 20;

    /// <summary>The shortest interval between two runs of a cron-scheduled perk.</summary>
    [Range(1, QuotaRanges.MaxMinCronIntervalMinutes)]
    public int MinCronIntervalMinutes { get; set; } = 60;

    public ProgramQuotas ToQuotas() => new(MaxPerks, MaxCodesPerPool, MaxCodesPerRequest, MaxClients, MinCronIntervalMinutes);
}

/// <summary>The largest value each quota may be given, in configuration or by the operator.</summary>
public static class QuotaRanges
{
    public const int MaxPerks = 100_000;
    public const int MaxCodesPerPool = 10_000_000;
    public const int MaxCodesPerRequest = 100_000;
    public const int MaxClients = 1_000;
    public const int MaxMinCronIntervalMinutes = 7 * 24 * 60;
}
