using Microsoft.AspNetCore.Http.HttpResults;

namespace Rewards.Api.Infrastructure.Errors;

/// <summary>Expected failures, returned (never thrown) as RFC 7807 problem details.</summary>
public static class Problems
{
    public static NotFoundProblem NotFound(string detail) => new(detail);

    public static ConflictProblem Conflict(string detail) => new(detail);

    public static UnprocessableProblem Unprocessable(string detail) => new(detail);

    public static GoneProblem Gone(string detail) => new(detail);

    public static UnsupportedMediaTypeProblem UnsupportedMediaType(string detail) => new(detail);

    public static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request is invalid");

    public static ValidationProblem Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>A client's value as a problem quotes it: at most 40 characters, so that a huge value does not make a huge answer.</summary>
    public static string Excerpt(string value) => value.Length <= 40 ? value : value[..40] + "…";
}

/// <summary>Collects field errors of one request.</summary>
public sealed class Validation
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public Validation Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(message);
        return this;
    }

    public Validation Check(bool condition, string field, string message) => condition ? this : Add(field, message);

    /// <summary>The value, after the checks that led to it (<c>v.Check(...).Then(value)</c> in a switch arm).</summary>
    public T Then<T>(T value) => value;

    public ValidationProblem ToProblem() =>
        Problems.Invalid(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
}

/// <summary>The API cannot serve the request right now (shutting down, data store unreachable): answered 503 with Retry-After.</summary>
public sealed class ServiceUnavailableException(string message) : Exception(message);
