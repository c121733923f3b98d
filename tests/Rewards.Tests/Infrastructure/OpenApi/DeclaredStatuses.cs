using System.Globalization;
using System.Text.Json;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Infrastructure.OpenApi;

/// <summary>
/// The statuses each operation of the committed OpenAPI document declares. The walks that call every operation (hostile
/// input, authorization) check each answer they get against it, and fail after their loop when an operation answered a
/// status its entry does not declare: clients generated from the document would not expect that answer.
/// </summary>
public static class DeclaredStatuses
{
    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlySet<int>>> Declared = new(Load);

    /// <summary>The statuses declared for an operation named "METHOD /path/{template}" (as the walks name them).</summary>
    public static IReadOnlySet<int> Of(string operation) =>
        Declared.Value.TryGetValue(operation, out var statuses) ? statuses
            : throw new Xunit.Sdk.XunitException($"{operation} is no operation of {OpenApiDocumentTests.CommittedPath}.");

    /// <summary>Null when the operation declares the status, else what is wrong, for the walk's report.</summary>
    public static string? Undeclared(string operation, int status)
    {
        var declared = Of(operation);
        return declared.Contains(status) ? null
            : $"{operation} answered {status}, which its OpenAPI entry does not declare (declared: {string.Join(", ", declared.Order())})";
    }

    /// <summary>
    /// Like <see cref="Undeclared(string, int)"/> for a request sent to <paramref name="url"/>; null when the URL is not one of
    /// the operation's (an empty or split path parameter makes it another route's, e.g. GET .../members/ lists members).
    /// </summary>
    public static string? Undeclared(string operation, string url, int status) =>
        IsOperationsUrl(operation, url) ? Undeclared(operation, status) : null;

    /// <summary>Whether the URL's path has the template's segments: the same literals, and one non-empty segment per parameter.</summary>
    public static bool IsOperationsUrl(string operation, string url)
    {
        var template = operation[(operation.IndexOf(' ', StringComparison.Ordinal) + 1)..].Split('/');
        var path = url.Split('?', 2)[0];
        var segments = (Uri.TryCreate(path, UriKind.Absolute, out var absolute) ? absolute.AbsolutePath : path).Split('/');
        return segments.Length == template.Length && template.Zip(segments).All(p =>
            p.First.StartsWith('{') ? p.Second.Length > 0 : string.Equals(p.First, p.Second, StringComparison.Ordinal));
    }

    /// <summary>The answers among <paramref name="responses"/> whose status the operation does not declare.</summary>
    public static IEnumerable<string> Undeclared(string operation, params HttpResponseMessage[] responses) =>
        responses.Select(r => Undeclared(operation, (int)r.StatusCode)).OfType<string>();

    public static void AssertNone(IReadOnlyCollection<string> undeclared) =>
        Assert.True(undeclared.Count == 0,
            $"{undeclared.Count} answers with an undeclared status (declare them: typed results in the handler's Results<...>, " +
            $"then `{OpenApiDocumentTests.RegenerateCommand}`):\n" + string.Join("\n", undeclared.Distinct()));

    private static IReadOnlyDictionary<string, IReadOnlySet<int>> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, OpenApiDocumentTests.CommittedPath)));
        var declared = new Dictionary<string, IReadOnlySet<int>>(StringComparer.Ordinal);
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                declared[$"{operation.Name.ToUpperInvariant()} {path.Name}"] = operation.Value.GetProperty("responses").EnumerateObject()
                    .Select(r => int.Parse(r.Name, NumberStyles.None, CultureInfo.InvariantCulture)).ToHashSet();
            }
        }
        return declared;
    }
}
