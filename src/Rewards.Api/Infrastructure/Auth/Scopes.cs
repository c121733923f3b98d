using System.Security.Claims;
using OpenIddict.Abstractions;

namespace Rewards.Api.Infrastructure.Auth;

public static class Scopes
{
    public const string Admin = "rewards.admin";
    public const string Activities = "rewards.activities";
    public const string Read = "rewards.read";
    public const string Perks = "rewards.perks";
    public const string Member = "rewards.member";
    public const string Webhooks = "rewards.webhooks";

    /// <summary>Console scopes: carried only by people's sessions (roles), never by client tokens.</summary>
    public const string Owner = "rewards.owner";
    public const string Stats = "rewards.stats";

    /// <summary>Scopes a program client may hold (admin is the operator's alone; member scope only on member tokens).</summary>
    public static readonly string[] ForProgramClients = [Activities, Read, Perks, Webhooks];

    public static readonly IReadOnlyDictionary<string, string> Descriptions = new Dictionary<string, string>
    {
        [Admin] = "Platform operator: programs, clients, everything.",
        [Activities] = "Record, approve, reject and reverse activities; upsert members; mint member tokens.",
        [Read] = "Read members, ledgers and leaderboards.",
        [Perks] = "Schedule perks and read KPIs.",
        [Webhooks] = "Manage the program's webhook endpoints: URLs, secrets, delivery log, replays (owner level: a holder chooses where events go).",
        [Member] = "Member token: the member's own profile, ledger and perks, and the program's leaderboards.",
        [Owner] = "Console owner of a program (sessions only): its settings, API clients, people and audit log.",
        [Stats] = "Console analyst (sessions only): read KPIs and ambassadors.",
    };
}

/// <summary>Claims Rewards puts in its access tokens besides sub, client_id, scope and aud.</summary>
public static class RewardsClaims
{
    /// <summary>The program a client (and its member tokens) is bound to; absent on the operator's admin tokens.</summary>
    public const string Program = "rewards_program";

    public static string? ProgramOf(this ClaimsPrincipal user) => user.FindFirst(Program)?.Value;

    public static string? ClientIdOf(this ClaimsPrincipal user) => user.GetClaim(OpenIddictConstants.Claims.ClientId);

    public static bool IsAdmin(this ClaimsPrincipal user) => user.HasScope(Scopes.Admin);

    public static bool IsMemberToken(this ClaimsPrincipal user) => user.HasScope(Scopes.Member);

    /// <summary>A console person's id (sessions only).</summary>
    public const string Person = "rewards_person";

    /// <summary>One per scope a person holds in a program through a role: "&lt;programId&gt; &lt;scope&gt;" (sessions only).</summary>
    public const string ProgramScope = "rewards_program_scope";

    public static string? PersonOf(this ClaimsPrincipal user) => user.FindFirst(Person)?.Value;

    /// <summary>The caller holds the scope in that program through a console role.</summary>
    public static bool HasProgramScope(this ClaimsPrincipal user, string programId, string scope) =>
        user.HasClaim(ProgramScope, $"{programId} {scope}");

    /// <summary>The caller holds an (enabled) console role in the program.</summary>
    public static bool HasRoleIn(this ClaimsPrincipal user, string programId) =>
        user.FindAll(ProgramScope).Any(c => c.Value.Length > programId.Length && c.Value[programId.Length] == ' '
            && c.Value.StartsWith(programId, StringComparison.Ordinal));
}

/// <summary>Authorization policies: each names the scopes of which a token needs one (the admin scope always qualifies).</summary>
public static class Policies
{
    public const string Admin = "admin";
    public const string ProgramRead = "program-read";
    public const string Activities = "activities";
    public const string ActivitiesOrRead = "activities-or-read";
    public const string MemberRead = "member-read";
    public const string MemberAct = "member-act";
    public const string Perks = "perks";
    public const string Insights = "insights";
    public const string ProgramOwner = "program-owner";

    /// <summary>A console person signed in (session cookie), whatever their roles: /v1/me, sign-out.</summary>
    public const string Person = "person";
    public const string Webhooks = "webhooks";

    public static readonly IReadOnlyDictionary<string, string[]> ScopesOf = new Dictionary<string, string[]>
    {
        [Admin] = [Scopes.Admin],
        [ProgramRead] = [Scopes.Admin, Scopes.Read],
        [Activities] = [Scopes.Admin, Scopes.Activities],
        [ActivitiesOrRead] = [Scopes.Admin, Scopes.Activities, Scopes.Read],
        [MemberRead] = [Scopes.Admin, Scopes.Read, Scopes.Member],
        [MemberAct] = [Scopes.Admin, Scopes.Activities, Scopes.Member],
        [Perks] = [Scopes.Admin, Scopes.Perks],
        [Insights] = [Scopes.Admin, Scopes.Perks, Scopes.Stats],
        [ProgramOwner] = [Scopes.Admin, Scopes.Owner],
        [Webhooks] = [Scopes.Admin, Scopes.Webhooks],
    };
}
