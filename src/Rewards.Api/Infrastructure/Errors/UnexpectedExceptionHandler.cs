using Microsoft.AspNetCore.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

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
                Detail = Describe(bad, context),
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

    /// <summary>What is wrong with an unreadable request, in words that say what to change.</summary>
    private static string Describe(BadHttpRequestException bad, HttpContext context)
    {
        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return ProblemTexts.NotJson(context);
        }
        if (bad.InnerException is JsonException json)
        {
            if (json is Http.TeachingJsonException)
            {
                return json.Path is { Length: > 2 } at && at.StartsWith("$.", StringComparison.Ordinal) ? $"{at[2..]}: {json.Message}" : json.Message;
            }
            return UnknownField(json, context) ?? (json.Path is "$" or null && context.Request.ContentLength == 0
                ? "A JSON body is required."
                : $"The JSON body is malformed or has a wrong type{(json.Path is { } path ? $" at '{path}'" : "")}.");
        }
        // "Implicit body inferred for parameter ... but no body was provided", "Required parameter ... was not provided from body".
        if (bad.StatusCode == StatusCodes.Status400BadRequest && (context.Request.ContentLength == 0
            || bad.Message.Contains("no body was provided", StringComparison.Ordinal) || bad.Message.Contains("from body", StringComparison.Ordinal)))
        {
            return "A JSON body is required.";
        }
        return bad.Message;
    }

    /// <summary>
    /// Strict JSON refuses a property the request type does not have: name it, and suggest the request's field it is closest
    /// to (from the target type's JSON contract), or list the fields.
    /// </summary>
    private static string? UnknownField(JsonException json, HttpContext context)
    {
        if (UnmappedProperty().Match(json.Message) is not { Success: true } match)
        {
            return null;
        }
        var property = match.Groups["name"].Value;
        var path = json.Path is { Length: > 1 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : property;
        var field = path.EndsWith(property, StringComparison.Ordinal) ? path : property;
        var options = context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var type = typeof(UnexpectedExceptionHandler).Assembly.GetType(match.Groups["type"].Value);
        var names = type is null ? [] : options.GetTypeInfo(type).Properties.Select(x => x.Name).ToList();
        var text = $"`{Problems.Excerpt(field)}` is not a field of this request";
        return Suggestions.Closest(property, names) is { } suggestion ? $"{text}; did you mean `{suggestion}`?"
            : names.Count > 0 ? $"{text}; its fields here are: {string.Join(", ", names)}."
            : text + ".";
    }

    [GeneratedRegex("^The JSON property '(?<name>.*)' could not be mapped to any \\.NET member contained in type '(?<type>[^']+)'", RegexOptions.Singleline)]
    private static partial Regex UnmappedProperty();

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, string path);
}
