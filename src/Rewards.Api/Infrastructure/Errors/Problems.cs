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

    /// <summary>400 with the field errors, and a detail that reads on its own (the first error, and how many more).</summary>
    public static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request is invalid", detail: Summary(errors));

    private static string Summary(Dictionary<string, string[]> errors)
    {
        var count = errors.Values.Sum(e => e.Length);
        var first = errors.OrderBy(e => e.Key, StringComparer.Ordinal).FirstOrDefault(e => e.Value.Length > 0);
        return first.Key is null ? "The request is invalid."
            : $"{first.Key}: {first.Value[0]}{(count > 1 ? $" (and {count - 1} more error{(count > 2 ? "s" : "")}: see 'errors')" : "")}";
    }

    public static ValidationProblem Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>"Required: rule" for a missing value, "Invalid: rule" for a value that was given and is wrong.</summary>
    public static string InvalidOrRequired(object? given, string rule) => (given is null ? "Required: " : "Invalid: ") + rule;

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

    /// <summary>
    /// Like <see cref="Check"/> for a value that must be given and valid: the message says "Required: rule" when the value is
    /// missing (null) and "Invalid: rule" when one was given.
    /// </summary>
    public Validation Expect(object? given, bool condition, string field, string rule) =>
        condition ? this : Add(field, Problems.InvalidOrRequired(given, rule));

    /// <summary>The value, after the checks that led to it (<c>v.Check(...).Then(value)</c> in a switch arm).</summary>
    public T Then<T>(T value) => value;

    public ValidationProblem ToProblem() =>
        Problems.Invalid(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
}

/// <summary>The API cannot serve the request right now (shutting down, data store unreachable): answered 503 with Retry-After.</summary>
public sealed class ServiceUnavailableException(string message) : Exception(message);
