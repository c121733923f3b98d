using Microsoft.AspNetCore.Http.HttpResults;

namespace Rewards.Api.Features.Health;

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health");
        health.MapGet("/live", Live)
            .WithSummary("Liveness: the process is up.");
        health.MapGet("/ready", Ready)
            .WithSummary("Readiness: Redis answers a PING (with a cluster, every primary).")
            .Produces<HealthStatus>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    public sealed record HealthStatus(string Status);

    private static Ok<HealthStatus> Live() => TypedResults.Ok(new HealthStatus("live"));

    private static async Task<Results<Ok<HealthStatus>, JsonHttpResult<HealthStatus>>> Ready(IConnectionMultiplexer redis)
    {
        try
        {
            // One round trip to a single Redis; with a cluster, every primary must answer (each holds a share of the programs).
            var endpoints = redis.GetEndPoints();
            if (endpoints.Length == 1)
            {
                await redis.GetDatabase().PingAsync();
            }
            else
            {
                await Task.WhenAll(endpoints.Select(e => redis.GetServer(e)).Where(s => !s.IsReplica).Select(s => s.PingAsync()));
            }
            return TypedResults.Ok(new HealthStatus("ready"));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return TypedResults.Json(new HealthStatus("redis unreachable"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
