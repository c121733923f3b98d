using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Quotas;

/// <summary>A program's quotas in force: its operator's overrides, else the configured defaults.</summary>
public sealed record ProgramQuotas(int MaxPerks, int MaxCodesPerPool, int MaxCodesPerRequest, int MaxClients, int MinCronIntervalMinutes);

/// <summary>The operator's overrides of one program (null: the default applies).</summary>
public sealed record QuotaOverrides(int? MaxPerks, int? MaxCodesPerPool, int? MaxCodesPerRequest, int? MaxClients, int? MinCronIntervalMinutes);

/// <summary>The names quotas go by in problems, configuration (<c>Rewards:Quotas:&lt;Name&gt;</c>) and the quotas endpoint.</summary>
public static class QuotaNames
{
    public const string MaxPerks = "maxPerks";
    public const string MaxCodesPerPool = "maxCodesPerPool";
    public const string MaxCodesPerRequest = "maxCodesPerRequest";
    public const string MaxClients = "maxClients";
    public const string MinCronIntervalMinutes = "minCronIntervalMinutes";
}

/// <summary>Per-program overrides in one hash (<see cref="RedisKeys.ProgramQuotas"/>), merged with the defaults on read.</summary>
public sealed class QuotaStore(IConnectionMultiplexer redis, Microsoft.Extensions.Options.IOptions<QuotasOptions> options)
{
    private static readonly RedisValue[] Fields =
        [QuotaNames.MaxPerks, QuotaNames.MaxCodesPerPool, QuotaNames.MaxCodesPerRequest, QuotaNames.MaxClients, QuotaNames.MinCronIntervalMinutes];

    public ProgramQuotas Defaults => options.Value.ToQuotas();

    public async Task<(ProgramQuotas Quotas, QuotaOverrides Overrides)> FindAsync(string programId)
    {
        var f = await redis.GetDatabase().HashGetAsync(RedisKeys.ProgramQuotas(programId), Fields);
        var overrides = new QuotaOverrides((int?)f[0], (int?)f[1], (int?)f[2], (int?)f[3], (int?)f[4]);
        return (Apply(overrides), overrides);
    }

    public async Task<ProgramQuotas> QuotasAsync(string programId) => (await FindAsync(programId)).Quotas;

    /// <summary>Replaces the program's overrides (a null field goes back to the default).</summary>
    public async Task<(ProgramQuotas Quotas, QuotaOverrides Overrides)> SaveAsync(string programId, QuotaOverrides overrides)
    {
        var key = RedisKeys.ProgramQuotas(programId);
        int?[] values = [overrides.MaxPerks, overrides.MaxCodesPerPool, overrides.MaxCodesPerRequest, overrides.MaxClients, overrides.MinCronIntervalMinutes];
        var tx = redis.GetDatabase().CreateTransaction();
        _ = tx.KeyDeleteAsync(key);
        var set = Fields.Zip(values).Where(p => p.Second is not null).Select(p => new HashEntry(p.First, p.Second!.Value)).ToArray();
        if (set.Length > 0)
        {
            _ = tx.HashSetAsync(key, set);
        }
        await tx.ExecuteAsync();
        return (Apply(overrides), overrides);
    }

    private ProgramQuotas Apply(QuotaOverrides o)
    {
        var d = Defaults;
        return new ProgramQuotas(o.MaxPerks ?? d.MaxPerks, o.MaxCodesPerPool ?? d.MaxCodesPerPool, o.MaxCodesPerRequest ?? d.MaxCodesPerRequest,
            o.MaxClients ?? d.MaxClients, o.MinCronIntervalMinutes ?? d.MinCronIntervalMinutes);
    }
}
