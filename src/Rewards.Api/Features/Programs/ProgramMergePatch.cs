using System.Text.Json;
using System.Text.Json.Nodes;
using Rewards.Api.Infrastructure.Errors;
using Rewards.Api.Infrastructure.Http;

namespace Rewards.Api.Features.Programs;

/// <summary>
/// PATCH /v1/programs/{programId}: a JSON Merge Patch (RFC 7396) applied to the stored settings' JSON, then read and validated
/// as the body of a PUT would be, so a patch cannot save what a PUT would refuse.
/// </summary>
public static class ProgramMergePatch
{
    public const string ContentType = "application/merge-patch+json";

    public static bool IsMergePatch(string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType.Equals(ContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>The patch document (a JSON object), or why the body is not one.</summary>
    public static async Task<(JsonObject? Patch, string? Error)> ReadAsync(HttpRequest request)
    {
        try
        {
            return await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted) is JsonObject patch
                ? (patch, null)
                : (null, "A merge patch is a JSON object of the settings to change, e.g. {\"rules\": {\"review\": {\"points\": 80}}}.");
        }
        catch (JsonException e)
        {
            return (null, $"Not valid JSON: {e.Message}");
        }
    }

    /// <summary>The stored settings with <paramref name="patch"/> merged in, validated as a PUT body.</summary>
    public static (ProgramDefinition? Definition, Validation Errors) Apply(ProgramDefinition current, JsonObject patch, string programId)
    {
        // Parsed with the default node options: member names compare exactly, as RFC 7396 and activity types require.
        var document = JsonNode.Parse(JsonSerializer.Serialize(current, HttpSetup.StoredJson))!.AsObject();
        // Kept by the server, not a setting: a patch naming it is refused as an unknown field below.
        document.Remove("removedTypes");
        ProgramRequest? request;
        try
        {
            request = Merge(document, patch).Deserialize<ProgramRequest>(HttpSetup.StoredJson);
        }
        catch (JsonException e)
        {
            return (null, new Validation().Add(string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.'),
                $"After applying the patch: {e.Message.Split(" Path:")[0]}"));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // Texts that are no valid UTF-16 (a lone surrogate escaped as \uD800) surface when the merged document is read.
            return (null, new Validation().Add("body", "Texts must be valid Unicode (no lone surrogate)."));
        }
        return request is null
            ? (null, new Validation().Add("body", "The patch leaves no settings."))
            : ProgramRules.Validate(request, programId);
    }

    /// <summary>RFC 7396 MergePatch(target, patch): objects merge member by member, null removes, anything else replaces.</summary>
    public static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject members)
        {
            return patch?.DeepClone();
        }
        var result = target as JsonObject ?? new JsonObject();
        foreach (var (name, value) in members)
        {
            if (value is null)
            {
                result.Remove(name);
                continue;
            }
            var existing = result[name];
            var merged = Merge(existing, value);
            if (!ReferenceEquals(merged, existing))
            {
                result[name] = merged;
            }
        }
        return result;
    }
}
