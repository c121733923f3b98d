using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.People;

/// <summary>The scripts of console people (accounts, invitations, sessions, audit), loaded once per process.</summary>
public sealed class PeopleScripts
{
    public RedisScript Invite { get; } = RedisScript.FromResource("person-invite");
    public RedisScript Accept { get; } = RedisScript.FromResource("person-accept");
    public RedisScript Update { get; } = RedisScript.FromResource("person-update");
    public RedisScript CreateSession { get; } = RedisScript.FromResource("session-create");
    public RedisScript CheckSession { get; } = RedisScript.FromResource("session-check");
    public RedisScript EndSession { get; } = RedisScript.FromResource("session-end");
    public RedisScript SignInFailed { get; } = RedisScript.FromResource("sign-in-failed");
    public RedisScript AppendAudit { get; } = RedisScript.FromResource("audit-append");
}

[LuaScript("person-invite")]
public sealed record InvitePersonScript(RedisKey Person, RedisKey Roles, string PersonId, string Email, long Now, string ProgramId,
    string Role, string InviteHash, long InviteExpiresAt) : IScriptArgs;

[LuaScript("person-accept")]
public sealed record AcceptInvitationScript(RedisKey Person, string InviteHash, long Now, string PasswordHash, string DisplayName) : IScriptArgs;

[LuaScript("person-update")]
public sealed record UpdatePersonScript(RedisKey Person, RedisKey Roles, RedisKey Sessions, string Op, string ProgramId, string Role,
    string SessionPrefix) : IScriptArgs;

[LuaScript("session-create")]
public sealed record CreateSessionScript(RedisKey Person, RedisKey Sessions, RedisKey Session, RedisKey Failures, string SessionHash,
    string SessionPrefix, long Now, long IdleMs, long LifetimeMs, int MaxSessions) : IScriptArgs;

[LuaScript("session-check")]
public sealed record CheckSessionScript(RedisKey Session, RedisKey Person, RedisKey Roles, long Now, long IdleMs) : IScriptArgs;

[LuaScript("session-end")]
public sealed record EndSessionScript(RedisKey Sessions, RedisKey Session, string SessionHash, string SessionPrefix, bool All) : IScriptArgs;

[LuaScript("sign-in-failed")]
public sealed record SignInFailedScript(RedisKey Failures, long WindowMs) : IScriptArgs;

[LuaScript("audit-append")]
public sealed record AppendAuditScript(RedisKey Log, string Entry, int MaxEntries) : IScriptArgs;
