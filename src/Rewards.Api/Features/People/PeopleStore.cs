using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Api.Infrastructure.Time;

namespace Rewards.Api.Features.People;

/// <summary>Account states of a console person.</summary>
public static class PersonStatus
{
    public const string Invited = "invited";
    public const string Active = "active";
    public const string Disabled = "disabled";
}

public sealed record ProgramRole(string ProgramId, string Role, bool Disabled);

public sealed record Person(string Id, string Email, string? DisplayName, string Status, bool Operator, DateTimeOffset CreatedAt,
    DateTimeOffset? LastSignInAt, IReadOnlyList<ProgramRole> Roles)
{
    public ProgramRole? RoleIn(string programId) => Roles.FirstOrDefault(r => r.ProgramId == programId);
}

/// <summary>What a session check found: the person, their roles, the session's absolute end.</summary>
public sealed record SessionPerson(string PersonId, string Email, string? DisplayName, bool Operator, IReadOnlyList<ProgramRole> Roles,
    DateTimeOffset ExpiresAt);

/// <summary>An invitation just issued: the link's token (shown once to the inviter, stored only as a hash) and its expiry.</summary>
public sealed record IssuedInvitation(string Token, DateTimeOffset ExpiresAt);

public enum AcceptOutcome { Accepted, Gone, Expired }

/// <summary>
/// Console people in Redis (platform-level keys, each person's under the hash tag of their id): accounts, roles per program,
/// invitations, sessions. Passwords are hashed with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2);
/// invitation and session secrets are 256 random bits, stored as SHA-256.
/// </summary>
public sealed class PeopleStore(IConnectionMultiplexer redis, PeopleScripts scripts, IOptions<PeopleOptions> options, TimeProvider clock)
{
    private const string IdPrefix = "pe_";
    private static readonly PasswordHasher<Person> Hasher = new();
    private static readonly Lazy<string> DecoyHash = new(() => Hasher.HashPassword(null!, Convert.ToHexString(RandomNumberGenerator.GetBytes(16))));

    public static bool IsPersonId(string? value) =>
        value is { Length: 27 } && value.StartsWith(IdPrefix, StringComparison.Ordinal) && value[3..].All(char.IsAsciiHexDigitLower);

    /// <summary>Lower-cased, NFC, trimmed; null when it is not a plausible address (one '@', a dotted domain, ≤ 254 chars).</summary>
    public static string? NormalizeEmail(string? raw)
    {
        if (raw is null)
        {
            return null;
        }
        var email = raw.Trim().Normalize(NormalizationForm.FormC).ToLowerInvariant();
        var at = email.IndexOf('@');
        if (email.Length is < 3 or > 254 || at < 1 || at != email.LastIndexOf('@') || at > 64
            || email.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is '"' or '<' or '>' or ',' or ';' or '(' or ')' or '[' or ']' or '\\')
            || email[(at + 1)..] is not { Length: >= 3 } domain || !domain.Contains('.') || domain.StartsWith('.') || domain.EndsWith('.'))
        {
            return null;
        }
        return email;
    }

    public static string HashPassword(string password) => Hasher.HashPassword(null!, password);

    /// <summary>Checks a password against a stored hash; with no hash (unknown account) a decoy is checked so timing tells nothing.</summary>
    public static bool VerifyPassword(string? storedHash, string password) =>
        Hasher.VerifyHashedPassword(null!, storedHash ?? DecoyHash.Value, password) != PasswordVerificationResult.Failed && storedHash is not null;

    public async Task<string?> FindIdByEmailAsync(string email) =>
        await redis.GetDatabase().HashGetAsync(RedisKeys.PeopleByEmail, email) is { IsNull: false } id ? id.ToString() : null;

    public async Task<Person?> GetAsync(string personId)
    {
        if (!IsPersonId(personId))
        {
            return null;
        }
        var db = redis.GetDatabase();
        var person = db.HashGetAllAsync(RedisKeys.Person(personId));
        var roles = db.HashGetAllAsync(RedisKeys.PersonRoles(personId));
        return ToPerson(personId, await person, await roles);
    }

    /// <summary>
    /// Invites an e-mail to a role in a program (or as an operator when <paramref name="programId"/> is null): creates the person
    /// when new; a person who has not set a password yet gets a new link (earlier links stop working); an active one gets the
    /// role and no link.
    /// </summary>
    public async Task<(string PersonId, string Status, IssuedInvitation? Invitation)> InviteAsync(string email, string? programId, string? role)
    {
        var db = redis.GetDatabase();
        var candidate = IdPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        // The address's id first (a crash before the person's record leaves an id the next invitation completes).
        var personId = await db.HashSetAsync(RedisKeys.PeopleByEmail, email, candidate, When.NotExists)
            ? candidate : (await db.HashGetAsync(RedisKeys.PeopleByEmail, email)).ToString();
        var now = clock.GetUtcNow();
        var secret = RandomNumberGenerator.GetBytes(32);
        var expiresAt = now + options.Value.InvitationLifetime;
        var result = (RedisResult[])(await scripts.Invite.RunAsync(db, ScriptArgs<InvitePersonScript>.Build(new(
            RedisKeys.Person(personId), RedisKeys.PersonRoles(personId), personId, email, ProgramTime.ToUnixMs(now), programId ?? "",
            role ?? "", Hash(secret), ProgramTime.ToUnixMs(expiresAt)))))!;
        var status = (string)result[0]!;
        await db.SortedSetAddAsync(RedisKeys.PeopleIndex, personId, ProgramTime.ToUnixMs(now), When.NotExists);
        if (programId is not null)
        {
            await db.SortedSetAddAsync(RedisKeys.ProgramPeople(programId), personId, ProgramTime.ToUnixMs(now), When.NotExists);
        }
        return (personId, status, status == PersonStatus.Invited ? new IssuedInvitation($"{personId}.{Base64Url(secret)}", expiresAt) : null);
    }

    /// <summary>Sets the password of an invited person with the link's token: once, before it expires, and only the latest link.</summary>
    public async Task<(AcceptOutcome Outcome, string? PersonId)> AcceptAsync(string token, string password, string displayName)
    {
        if (!TryParseSecret(token, out var personId, out var secret))
        {
            return (AcceptOutcome.Gone, null);
        }
        var result = (RedisResult[])(await scripts.Accept.RunAsync(redis.GetDatabase(), ScriptArgs<AcceptInvitationScript>.Build(new(
            RedisKeys.Person(personId), Hash(secret), ProgramTime.ToUnixMs(clock.GetUtcNow()), HashPassword(password), displayName))))!;
        return ((string)result[0]! switch { "ok" => AcceptOutcome.Accepted, "expired" => AcceptOutcome.Expired, _ => AcceptOutcome.Gone }, personId);
    }

    /// <summary>The person id of an invitation token, without checking it (audit of a refused link).</summary>
    public static string? PersonOfToken(string? token) => TryParseSecret(token, out var personId, out _) ? personId : null;

    /// <summary>What a sign-in needs of an account: status, password hash, and how long it stays locked (null: not locked).</summary>
    public async Task<(string? Status, string? PasswordHash, TimeSpan? LockedFor)> ReadForSignInAsync(string personId)
    {
        var db = redis.GetDatabase();
        var fields = db.HashGetAsync(RedisKeys.Person(personId), ["status", "passwordHash"]);
        var failures = db.StringGetAsync(RedisKeys.PersonSignInFailures(personId));
        var ttl = db.KeyTimeToLiveAsync(RedisKeys.PersonSignInFailures(personId));
        var f = await fields;
        var count = (long?)await failures ?? 0;
        var lockedFor = count >= options.Value.MaxFailedSignIns ? (await ttl ?? options.Value.LockoutWindow) : (TimeSpan?)null;
        return (f[0].IsNull ? null : f[0].ToString(), f[1].IsNull ? null : f[1].ToString(), lockedFor);
    }

    /// <summary>Counts a failed sign-in; answers how long the account is now locked (null: not locked).</summary>
    public async Task<TimeSpan?> SignInFailedAsync(string personId)
    {
        var result = (RedisResult[])(await scripts.SignInFailed.RunAsync(redis.GetDatabase(), ScriptArgs<SignInFailedScript>.Build(new(
            RedisKeys.PersonSignInFailures(personId), (long)options.Value.LockoutWindow.TotalMilliseconds))))!;
        return (long)result[0] >= options.Value.MaxFailedSignIns ? TimeSpan.FromMilliseconds(Math.Max(1000, (long)result[1])) : null;
    }

    /// <summary>Starts a session: the cookie value (person id and 256-bit secret) or null when the account is no longer active.</summary>
    public async Task<(string Cookie, DateTimeOffset ExpiresAt)?> CreateSessionAsync(string personId)
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var hash = Hash(secret);
        var now = clock.GetUtcNow();
        var o = options.Value;
        var result = (RedisResult[])(await scripts.CreateSession.RunAsync(redis.GetDatabase(), ScriptArgs<CreateSessionScript>.Build(new(
            RedisKeys.Person(personId), RedisKeys.PersonSessions(personId), RedisKeys.PersonSession(personId, hash),
            RedisKeys.PersonSignInFailures(personId), hash, RedisKeys.PersonSessionPrefix(personId), ProgramTime.ToUnixMs(now),
            (long)o.SessionIdleTimeout.TotalMilliseconds, (long)o.SessionLifetime.TotalMilliseconds, o.MaxSessionsPerPerson))))!;
        return (string)result[0]! == "ok" ? ($"{personId}.{Base64Url(secret)}", now + o.SessionLifetime) : null;
    }

    /// <summary>The person of a live session (renewing its inactivity timeout), or null.</summary>
    public async Task<SessionPerson?> CheckSessionAsync(string personId, byte[] secret)
    {
        var result = await scripts.CheckSession.RunAsync(redis.GetDatabase(), ScriptArgs<CheckSessionScript>.Build(new(
            RedisKeys.PersonSession(personId, Hash(secret)), RedisKeys.Person(personId), RedisKeys.PersonRoles(personId),
            ProgramTime.ToUnixMs(clock.GetUtcNow()), (long)options.Value.SessionIdleTimeout.TotalMilliseconds)));
        if (result.IsNull || result.Resp2Type != ResultType.Array)
        {
            return null;
        }
        var r = (RedisResult[])result!;
        var roles = (RedisResult[])r[4]!;
        var list = new List<ProgramRole>(roles.Length / 2);
        for (var i = 0; i + 1 < roles.Length; i += 2)
        {
            list.Add(ParseRole((string)roles[i]!, (string)roles[i + 1]!));
        }
        return new SessionPerson(personId, (string)r[1]!, NullIfEmpty((string?)r[2]), (string?)r[3] == "1", list,
            ProgramTime.FromUnixMs((long)r[0]));
    }

    /// <summary>Ends one session, or all the person's sessions (sign-out everywhere); the number ended.</summary>
    public async Task<long> EndSessionsAsync(string personId, byte[]? secret)
    {
        var hash = secret is null ? "" : Hash(secret);
        return (long)await scripts.EndSession.RunAsync(redis.GetDatabase(), ScriptArgs<EndSessionScript>.Build(new(
            RedisKeys.PersonSessions(personId), RedisKeys.PersonSession(personId, hash), hash, RedisKeys.PersonSessionPrefix(personId),
            secret is null)));
    }

    /// <summary>Sets the person's role in a program (only where they hold one). False: no such person or role there.</summary>
    public Task<bool> SetRoleAsync(string personId, string programId, string role, bool disabled) =>
        UpdateAsync(personId, "role", programId, disabled ? role + ":disabled" : role);

    /// <summary>Removes the person from a program. False: no such person or role there.</summary>
    public async Task<bool> RemoveRoleAsync(string personId, string programId)
    {
        if (!await UpdateAsync(personId, "unrole", programId, ""))
        {
            return false;
        }
        await redis.GetDatabase().SortedSetRemoveAsync(RedisKeys.ProgramPeople(programId), personId);
        return true;
    }

    /// <summary>Disables (ending every session) or enables an account. False: no such person.</summary>
    public Task<bool> SetDisabledAsync(string personId, bool disabled) => UpdateAsync(personId, disabled ? "disable" : "enable", "", "");

    /// <summary>Deletes an account: sessions, roles, the address's entry and the programs' lists. False: no such person.</summary>
    public async Task<bool> DeleteAsync(Person person)
    {
        if (!await UpdateAsync(person.Id, "delete", "", ""))
        {
            return false;
        }
        var db = redis.GetDatabase();
        await Task.WhenAll(person.Roles.Select(r => db.SortedSetRemoveAsync(RedisKeys.ProgramPeople(r.ProgramId), person.Id))
            .Append(db.SortedSetRemoveAsync(RedisKeys.PeopleIndex, person.Id))
            .Append(db.HashDeleteAsync(RedisKeys.PeopleByEmail, person.Email))
            .Append(db.KeyDeleteAsync(RedisKeys.PersonSignInFailures(person.Id))));
        return true;
    }

    private async Task<bool> UpdateAsync(string personId, string op, string programId, string role)
    {
        if (!IsPersonId(personId))
        {
            return false;
        }
        var result = (RedisResult[])(await scripts.Update.RunAsync(redis.GetDatabase(), ScriptArgs<UpdatePersonScript>.Build(new(
            RedisKeys.Person(personId), RedisKeys.PersonRoles(personId), RedisKeys.PersonSessions(personId), op, programId, role,
            RedisKeys.PersonSessionPrefix(personId)))))!;
        return (string)result[0]! == "ok";
    }

    /// <summary>One page of the people holding a role in the program (oldest first) and how many there are.</summary>
    public Task<(IReadOnlyList<Person> People, long Total)> ListProgramAsync(string programId, int offset, int limit) =>
        ListAsync(RedisKeys.ProgramPeople(programId), offset, limit, p => p.RoleIn(programId) is not null);

    /// <summary>One page of every person (operator), oldest first.</summary>
    public Task<(IReadOnlyList<Person> People, long Total)> ListAllAsync(int offset, int limit) =>
        ListAsync(RedisKeys.PeopleIndex, offset, limit, _ => true);

    private async Task<(IReadOnlyList<Person> People, long Total)> ListAsync(RedisKey index, int offset, int limit, Func<Person, bool> keep)
    {
        var db = redis.GetDatabase();
        var total = db.SortedSetLengthAsync(index);
        var ids = await db.SortedSetRangeByRankAsync(index, offset, offset + limit - 1);
        var people = await Task.WhenAll(ids.Select(id => GetAsync(id.ToString())));
        return (people.OfType<Person>().Where(keep).ToList(), await total);
    }

    public static ProgramRole ParseRole(string programId, string value) =>
        value.EndsWith(":disabled", StringComparison.Ordinal) ? new(programId, value[..^9], true) : new(programId, value, false);

    private static Person? ToPerson(string personId, HashEntry[] entries, HashEntry[] roles)
    {
        if (entries.Length == 0)
        {
            return null;
        }
        var f = entries.ToDictionary(e => e.Name.ToString(), e => e.Value);
        return new Person(personId, f["email"]!, f.TryGetValue("name", out var name) ? name.ToString() : null, f["status"]!,
            f.TryGetValue("operator", out var op) && op == "1", ProgramTime.FromUnixMs((long)f["createdAt"]),
            f.TryGetValue("lastSignInAt", out var last) ? ProgramTime.FromUnixMs((long)last) : null,
            roles.Select(r => ParseRole(r.Name!, r.Value!)).OrderBy(r => r.ProgramId, StringComparer.Ordinal).ToList());
    }

    /// <summary>"&lt;personId&gt;.&lt;base64url of 32 bytes&gt;": the shape of session cookies and invitation tokens.</summary>
    public static bool TryParseSecret(string? value, out string personId, out byte[] secret)
    {
        (personId, secret) = ("", []);
        if (value is not { Length: 71 } || value[27] != '.' || !IsPersonId(value[..27]))
        {
            return false;
        }
        try
        {
            var bytes = Convert.FromBase64String(value[28..].Replace('-', '+').Replace('_', '/') + "=");
            if (bytes.Length != 32)
            {
                return false;
            }
            (personId, secret) = (value[..27], bytes);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static string Hash(byte[] secret) => Convert.ToHexStringLower(SHA256.HashData(secret));

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
