using Rewards.Api.Infrastructure.Auth;

namespace Rewards.Api.Features.People;

/// <summary>
/// A person's role in a program, each a fixed set of scopes (docs/auth.md). A console session is authorized on a program's
/// routes exactly like a token holding its role's scopes for that program; the operator (global) holds rewards.admin.
/// </summary>
public static class ConsoleRoles
{
    public const string Owner = "owner";
    public const string Marketer = "marketer";
    public const string Moderator = "moderator";
    public const string Analyst = "analyst";

    public static readonly IReadOnlyDictionary<string, string[]> ScopesOf = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [Owner] = [Scopes.Activities, Scopes.Read, Scopes.Perks, Scopes.Webhooks, Scopes.Owner],
        [Marketer] = [Scopes.Perks, Scopes.Read],
        [Moderator] = [Scopes.Activities, Scopes.Read],
        [Analyst] = [Scopes.Read, Scopes.Stats],
    };

    public static IReadOnlyList<string> All { get; } = [Owner, Marketer, Moderator, Analyst];

    public static bool IsRole(string? value) => value is not null && ScopesOf.ContainsKey(value);

    public const string Rule = "one of owner, marketer, moderator, analyst";
}
