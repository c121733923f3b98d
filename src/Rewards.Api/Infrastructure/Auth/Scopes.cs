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
        [Webhooks] = [Scopes.Admin, Scopes.Webhooks],
    };
}
