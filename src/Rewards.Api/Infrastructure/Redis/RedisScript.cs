using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Rewards.Api.Infrastructure.Redis;

/// <summary>
/// A Lua script shipped as an embedded resource (Scripts/*.lua). It runs by SHA (EVALSHA); a server that does not know the
/// script yet (first call, restart, new cluster node) gets it once through EVAL, which also caches it there.
/// <para>
/// Modules: a line <c>--!include name</c> in a script (or in a module) makes the module <c>Scripts/name.lua</c> available
/// as the local <c>name</c>: every module a script needs is inlined once, dependencies first, above the script, wrapped in
/// a closure (<c>local name = (function() ... end)()</c>); the include line stays as a comment. A module ends with
/// <c>return { ... }</c> (what it exports), so modules never share one namespace. Composing keeps a line map, so that an error raised by Redis ("user_script:NNN") is reported with the
/// module and line it happened at (<see cref="Locate"/>). See Scripts/README.md.
/// </para>
/// </summary>
public sealed partial class RedisScript
{
    private readonly string _body;
    private readonly byte[] _sha1;
    private readonly (string File, int Line)[] _lineMap;

    private RedisScript(string name, string body, (string File, int Line)[] lineMap)
    {
        Name = name;
        _body = body;
        _lineMap = lineMap;
        _sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(body));
    }

    public string Name { get; }

    /// <summary>The composed text Redis runs (modules inlined).</summary>
    public string Body => _body;

    /// <summary>The script Scripts/<paramref name="name"/>.lua, with the modules it includes.</summary>
    public static RedisScript FromResource(string name) => Compose(name, ReadResource(name));

    /// <summary>A script given as text (tests, tools), with the modules it includes from Scripts/.</summary>
    public static RedisScript FromSource(string name, string source) => Compose(name, source);

    /// <summary>The modules a script includes, directly or through other modules, dependencies first.</summary>
    public static IReadOnlyList<string> ModulesOf(string source)
    {
        var order = new List<string>();
        void Visit(string text, Stack<string> path)
        {
            foreach (var module in Includes(text))
            {
                if (path.Contains(module))
                {
                    throw new InvalidOperationException($"Lua modules include each other: {string.Join(" -> ", path.Reverse())} -> {module}.");
                }
                if (order.Contains(module))
                {
                    continue;
                }
                path.Push(module);
                Visit(ReadResource(module), path);
                path.Pop();
                order.Add(module);
            }
        }
        Visit(source, new Stack<string>());
        return order;
    }

    private static RedisScript Compose(string name, string source)
    {
        var output = new StringBuilder();
        var map = new List<(string File, int Line)>();

        void Line(string file, int sourceLine, string text)
        {
            output.Append(text).Append('\n');
            map.Add((file, sourceLine));
        }

        void Copy(string file, string text)
        {
            var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
            var count = lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
            for (var i = 0; i < count; i++)
            {
                // An include line stays as a comment (the module is above), so every line keeps its number.
                Line(file, i + 1, IncludeLine().IsMatch(lines[i]) ? "-- " + lines[i] : lines[i]);
            }
        }

        foreach (var module in ModulesOf(source))
        {
            // The wrapper lines map to line 1 of the module (its header): nothing in them can fail.
            Line(module, 1, $"local {module} = (function()");
            Copy(module, ReadResource(module));
            Line(module, 1, "end)()");
        }
        Copy(name, source);
        return new RedisScript(name, output.ToString(), [.. map]);
    }

    private static IEnumerable<string> Includes(string text) =>
        text.Split('\n').Select(l => IncludeLine().Match(l.TrimEnd('\r'))).Where(m => m.Success).Select(m => m.Groups[1].Value);

    /// <summary>"module.lua:line" for a line of the composed script (1-based).</summary>
    public string Locate(int composedLine) =>
        composedLine >= 1 && composedLine <= _lineMap.Length
            ? $"{_lineMap[composedLine - 1].File}.lua:{_lineMap[composedLine - 1].Line}"
            : $"{Name}.lua(composed):{composedLine}";

    /// <summary>Redis's message with every "user_script:NNN" replaced by the module and line it stands for.</summary>
    public string Translate(string message) =>
        UserScriptLine().Replace(message, m => Locate(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Runs the script with the keys and arguments a script record built (<see cref="ScriptArgs{T}.Build"/>).</summary>
    public Task<RedisResult> RunAsync(IDatabaseAsync db, (RedisKey[] Keys, RedisValue[] Args) call) => RunAsync(db, call.Keys, call.Args);

    public async Task<RedisResult> RunAsync(IDatabaseAsync db, RedisKey[] keys, RedisValue[] args)
    {
        try
        {
            try
            {
                return await db.ScriptEvaluateAsync(_sha1, keys, args);
            }
            catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                return await db.ScriptEvaluateAsync(_body, keys, args);
            }
        }
        catch (RedisServerException e) when (UserScriptLine().IsMatch(e.Message))
        {
            throw new RedisServerException(e.Kind, CommandFlags.None, $"{Translate(e.Message)} (script {Name})");
        }
    }

    private static string ReadResource(string name)
    {
        var resource = $"Rewards.Api.Scripts.{name}.lua";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded script '{resource}' is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^--!include\s+([a-z][a-z0-9_]*)\s*$")]
    private static partial Regex IncludeLine();

    [GeneratedRegex(@"user_script:(\d+)")]
    private static partial Regex UserScriptLine();
}

/// <summary>The scripts of the API, loaded (and composed with their modules) once per process.</summary>
public sealed class RewardsScripts
{
    public RedisScript Award { get; } = RedisScript.FromResource("award");
    public RedisScript Moderate { get; } = RedisScript.FromResource("moderate");
    public RedisScript UpsertMember { get; } = RedisScript.FromResource("upsert-member");
    public RedisScript MemberStatus { get; } = RedisScript.FromResource("member-status");
    public RedisScript ListMembers { get; } = RedisScript.FromResource("member-list");
    public RedisScript ListOfferCodes { get; } = RedisScript.FromResource("perk-codes-list");
    public RedisScript SaveProgram { get; } = RedisScript.FromResource("save-program");
    public RedisScript ReadLeaderboard { get; } = RedisScript.FromResource("leaderboard-read");
    public RedisScript ReadLeaderboardArchive { get; } = RedisScript.FromResource("leaderboard-archive-read");
    public RedisScript WriteLeaderboardArchive { get; } = RedisScript.FromResource("leaderboard-archive");
    public RedisScript ScrubEvents { get; } = RedisScript.FromResource("events-scrub");
    public RedisScript GrantPerkChunk { get; } = RedisScript.FromResource("perk-grant-chunk");
    public RedisScript Ambassadors { get; } = RedisScript.FromResource("ambassadors");
    public RedisScript ClaimOffer { get; } = RedisScript.FromResource("perk-claim");
    public RedisScript AnswerInvitation { get; } = RedisScript.FromResource("perk-rsvp");
    public RedisScript CreatePerk { get; } = RedisScript.FromResource("perk-create");
    public RedisScript AddPerkCodes { get; } = RedisScript.FromResource("perk-codes-add");
    public RedisScript DeletePerk { get; } = RedisScript.FromResource("perk-delete");
    public RedisScript UngrantPerkChunk { get; } = RedisScript.FromResource("perk-ungrant-chunk");
    public RedisScript ReadNews { get; } = RedisScript.FromResource("news-read");
    public RedisScript ReserveClient { get; } = RedisScript.FromResource("client-reserve");
    public RedisScript ReadLedger { get; } = RedisScript.FromResource("ledger-read");
    public RedisScript ReadLedgersSince { get; } = RedisScript.FromResource("ledger-since");
    public RedisScript MigrateLedgers { get; } = RedisScript.FromResource("ledger-migrate");
    public RedisScript ExpireLots { get; } = RedisScript.FromResource("lots-expire");
    public RedisScript NoticeLots { get; } = RedisScript.FromResource("lots-notice");
    public RedisScript Adjust { get; } = RedisScript.FromResource("adjust");
    public RedisScript SaveReward { get; } = RedisScript.FromResource("reward-save");
    public RedisScript Redeem { get; } = RedisScript.FromResource("redeem");
    public RedisScript ChangeRedemption { get; } = RedisScript.FromResource("redemption-change");
    public RedisScript SweepHolds { get; } = RedisScript.FromResource("redemption-sweep");
    public RedisScript CreateWebhook { get; } = RedisScript.FromResource("webhook-create");
    public RedisScript UpdateWebhook { get; } = RedisScript.FromResource("webhook-update");
    public RedisScript DeleteWebhook { get; } = RedisScript.FromResource("webhook-delete");
    public RedisScript PollWebhooks { get; } = RedisScript.FromResource("webhook-poll");
    public RedisScript DeliveryDone { get; } = RedisScript.FromResource("webhook-done");
    public RedisScript ReplayWebhook { get; } = RedisScript.FromResource("webhook-replay");
}
