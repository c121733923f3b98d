using System.Text.Json;
using Microsoft.Extensions.Options;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Http;
using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.People;

/// <summary>What the audit log records (wire values).</summary>
public static class AuditAction
{
    public const string SignIn = "sign_in";
    public const string SignInFailed = "sign_in_failed";
    public const string SignOut = "sign_out";
    public const string SessionsRevoked = "sessions_revoked";
    public const string Invited = "invited";
    public const string InvitationAccepted = "invitation_accepted";
    public const string InvitationRefused = "invitation_refused";
    public const string RoleChanged = "role_changed";
    public const string Removed = "removed";
    public const string Disabled = "disabled";
    public const string Enabled = "enabled";
    public const string Deleted = "deleted";
}

/// <summary>One audit entry: who did what to whom, when, from where.</summary>
public sealed record AuditEntry(
    DateTimeOffset At, string Action, string Actor, string? PersonId, string? Email, string? ProgramId, string? Role, string? Address, string? Detail);

/// <summary>
/// Audit logs in Redis: one per program (its owner reads it), one for the operator (every entry). Lists, newest first, capped at
/// <see cref="PeopleOptions.AuditMaxEntries"/>; each append is one script run per log.
/// </summary>
public sealed class AuditLog(IConnectionMultiplexer redis, PeopleScripts scripts, IOptions<PeopleOptions> options, TimeProvider clock)
{
    /// <summary>The caller as the log names it: a person (their id), a client, or the operator's admin client.</summary>
    public static string ActorOf(HttpContext http) =>
        http.User.PersonOf() is { } person ? $"person:{person}"
        : http.User.ClientIdOf() is { } client ? (http.User.IsAdmin() ? $"operator:{client}" : $"client:{client}")
        : "anonymous";

    /// <summary>Writes an entry to the operator's log and to each of the programs' logs.</summary>
    public async Task WriteAsync(HttpContext http, string action, string? personId, string? email, IEnumerable<string> programIds,
        string? role = null, string? detail = null, string? actor = null)
    {
        var at = clock.GetUtcNow();
        var address = http.Connection.RemoteIpAddress?.ToString();
        var db = redis.GetDatabase();
        var programs = programIds.Distinct().ToList();
        var writes = programs.Select(p => Append(db, RedisKeys.ProgramAudit(p),
            new AuditEntry(at, action, actor ?? ActorOf(http), personId, email, p, role, address, detail))).ToList();
        writes.Add(Append(db, RedisKeys.OperatorAudit, new AuditEntry(at, action, actor ?? ActorOf(http), personId, email,
            programs.Count == 1 ? programs[0] : null, role, address, detail)));
        await Task.WhenAll(writes);
    }

    private Task Append(IDatabaseAsync db, RedisKey log, AuditEntry entry) =>
        scripts.AppendAudit.RunAsync(db, ScriptArgs<AppendAuditScript>.Build(new(log,
            JsonSerializer.Serialize(entry, HttpSetup.StoredJson), options.Value.AuditMaxEntries)));

    /// <summary>One page of a log, newest first, and how many entries it holds.</summary>
    public async Task<(IReadOnlyList<AuditEntry> Entries, long Total)> ReadAsync(RedisKey log, int offset, int limit)
    {
        var db = redis.GetDatabase();
        var total = db.ListLengthAsync(log);
        var page = await db.ListRangeAsync(log, offset, offset + limit - 1);
        return (page.Select(v => JsonSerializer.Deserialize<AuditEntry>(v.ToString(), HttpSetup.StoredJson)!).ToList(), await total);
    }
}
