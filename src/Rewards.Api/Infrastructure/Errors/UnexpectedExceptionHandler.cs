using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Rewards.Api.Infrastructure.Errors;

/// <summary>
/// The one place for exceptions. Unreadable requests (bad JSON, wrong types, oversized bodies) become 4xx
/// problems; Redis being unreachable becomes a fast 503; anything else is a 500 without internals.
/// </summary>
public sealed partial class UnexpectedExceptionHandler(IProblemDetailsService problems, ILogger<UnexpectedExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException bad => new ProblemDetails
            {
                Status = bad.StatusCode,
                Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Bad request",
                Detail = Describe(bad),
            },
            RedisConnectionException or RedisTimeoutException or ServiceUnavailableException => Unavailable(),
            // "Not now" rather than a bug: Redis still loading its data after a restart, busy with a long script, a replica
            // during a failover, a cluster reconfiguring. A retry shortly after can succeed.
            RedisServerException { Kind: RedisErrorKind.Loading or RedisErrorKind.Busy or RedisErrorKind.MasterDown
                or RedisErrorKind.ReadOnly or RedisErrorKind.TryAgain or RedisErrorKind.ClusterDown } => Unavailable(),
            _ => null,
        };

        if (problem is null)
        {
            LogUnexpected(logger, exception, context.Request.Method, context.Request.Path);
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Title = "Unexpected error",
                Detail = "The request failed unexpectedly; it has been logged.",
            };
        }
        else if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "1";
        }

        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private static ProblemDetails Unavailable() => new()
    {
        Status = StatusCodes.Status503ServiceUnavailable,
        Title = "Service unavailable",
        Detail = "The data store is unreachable; retry shortly.",
    };

    private static string Describe(BadHttpRequestException bad) =>
        bad.InnerException is System.Text.Json.JsonException json
            ? $"The JSON body is malformed or has a wrong type{(json.Path is { } path ? $" at '{path}'" : "")}."
            : bad.Message;

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, string path);
}
