using System.Text.Json;

namespace Rewards.Client;

/// <summary>
/// A problem document (RFC 9457) the API answered with: type, title, status, detail, the errors per field of a validation
/// problem, and the problem's other members (e.g. <c>reason</c>, <c>retryAt</c>).
/// </summary>
public sealed record RewardsProblem(
    string? Type, string? Title, int? Status, string? Detail, IReadOnlyDictionary<string, IReadOnlyList<string>> Errors,
    IReadOnlyDictionary<string, object> Extensions);

public static class RewardsApiExceptionExtensions
{
    /// <summary>The problem the API answered with, whatever the operation declared; null when the body is not a problem document.</summary>
    public static RewardsProblem? Problem(this RewardsApiException exception) => exception switch
    {
        RewardsApiException<HttpValidationProblemDetails> { Result: { } p } =>
            new(p.Type, p.Title, p.Status, p.Detail, Errors(p.Errors), Extensions(p.AdditionalProperties)),
        RewardsApiException<ProblemDetails> { Result: { } p } =>
            new(p.Type, p.Title, p.Status, p.Detail, Errors(null), Extensions(p.AdditionalProperties)),
        _ => Parse(exception.Response),
    };

    private static RewardsProblem? Parse(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<HttpValidationProblemDetails>(body, JsonOptions) is { } p
                ? new(p.Type, p.Title, p.Status, p.Detail, Errors(p.Errors), Extensions(p.AdditionalProperties))
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IReadOnlyDictionary<string, IReadOnlyList<string>> Errors(IDictionary<string, IReadOnlyList<string>>? errors) =>
        errors is null ? new Dictionary<string, IReadOnlyList<string>>() : new Dictionary<string, IReadOnlyList<string>>(errors);

    private static IReadOnlyDictionary<string, object> Extensions(IDictionary<string, object>? extensions) =>
        extensions is null ? new Dictionary<string, object>() : new Dictionary<string, object>(extensions);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
