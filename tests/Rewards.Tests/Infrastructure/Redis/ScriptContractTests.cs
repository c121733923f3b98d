using System.Reflection;
using System.Text.RegularExpressions;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Tests.Infrastructure;
using StackExchange.Redis;

namespace Rewards.Tests.Infrastructure.Redis;

/// <summary>
/// The contracts between the C# side and the Lua scripts: every script's KEYS/ARGV block against its C# record (same names,
/// same order, same positions), the member hash's field names on both sides, and script errors located in their module.
/// </summary>
public sealed partial class ScriptContractTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private static readonly Assembly Api = typeof(RedisScript).Assembly;

    /// <summary>Every script record, and the Lua script or module it builds the keys and arguments of.</summary>
    public static TheoryData<string> Records() =>
        [.. Api.GetTypes().Where(t => typeof(IScriptArgs).IsAssignableFrom(t) && t.IsClass).Select(t => t.FullName!)];

    [Theory]
    [MemberData(nameof(Records))]
    public void ScriptRecord_MatchesTheLuaBlock_InNamesAndOrder(string recordType)
    {
        var type = Api.GetType(recordType)!;
        var script = type.GetCustomAttribute<LuaScriptAttribute>()?.Name
            ?? throw new InvalidOperationException($"{type.Name} names no Lua script ([LuaScript]).");

        var (luaKeys, luaArgs) = LuaBlock.Parse(Source(script));

        var (keys, args) = Expected(type);
        Assert.Equal(keys, luaKeys);
        Assert.Equal(args, luaArgs);
    }

    [Fact]
    public void EveryScript_HasARecord()
    {
        var recorded = Api.GetTypes().Select(t => t.GetCustomAttribute<LuaScriptAttribute>()?.Name).OfType<string>().ToHashSet();
        var scripts = typeof(RewardsScripts).GetProperties().Select(p => ((RedisScript)p.GetValue(new RewardsScripts())!).Name);
        Assert.Equal([], scripts.Where(s => !recorded.Contains(s)).ToArray());
    }

    [Fact]
    public void ContractCheck_Fails_WhenTheLuaBlockDisagrees()
    {
        var swapped = Source("save-program").Replace("local mode, json, now", "local json, mode, now", StringComparison.Ordinal);
        var (_, args) = LuaBlock.Parse(swapped);
        Assert.NotEqual(Expected(typeof(Rewards.Api.Features.Programs.SaveProgramScript)).Args, args);

        var shortened = Source("award").Replace("ARG.MEMBER_ID = L.arg()", "-- (removed)", StringComparison.Ordinal);
        Assert.NotEqual(Expected(typeof(Rewards.Api.Features.Activities.AwardScript)).Args, LuaBlock.Parse(shortened).Args);
    }

    [Fact]
    public void Scripts_LoadOnlyTheModulesTheyNeed()
    {
        Assert.Equal(["kpis", "codes", "layout", "member", "events"], RedisScript.ModulesOf(Source("perk-claim")));
        Assert.Equal(["codes", "member"], RedisScript.ModulesOf(Source("leaderboard-archive-read")));
        // Dependencies come first, each once: points needs member (and codes), boards (and layout), gamification.
        Assert.Equal(["layout", "codes", "activity", "member", "ledger", "kpis", "idempotency", "boards", "gamification", "points", "events"],
            RedisScript.ModulesOf(Source("award")));
    }

    [Fact]
    public void MemberFields_AreTheSameOnBothSides()
    {
        var lua = MemberField().Matches(Source("member")).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var csharp = typeof(MemberFields).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).ToDictionary(f => Snake(f.Name), f => (string)f.GetRawConstantValue()!);

        Assert.NotEmpty(csharp);
        Assert.Equal(csharp.OrderBy(p => p.Key), lua.Where(p => csharp.ContainsKey(p.Key)).OrderBy(p => p.Key));
        Assert.Empty(lua.Keys.Except(csharp.Keys).Except(["POINTS_BOARD"])); // the 'points' board is ProgramRules.PointsBoard
        Assert.Equal(Rewards.Api.Features.Programs.ProgramRules.PointsBoard, lua["POINTS_BOARD"]);
    }

    [Fact]
    public void ActivityFields_AreTheSameOnBothSides()
    {
        var lua = MemberField().Matches(Source("activity")).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var csharp = typeof(ActivityFields).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).ToDictionary(f => Snake(f.Name), f => (string)f.GetRawConstantValue()!);

        Assert.NotEmpty(csharp);
        Assert.Equal(csharp.OrderBy(p => p.Key), lua.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task ScriptError_IsReported_WithTheModuleAndLineItHappenedAt()
    {
        // A module's function fails when given a nil key: the error must point into boards.lua, not at the composed line.
        var script = RedisScript.FromSource("failing-driver", "-- line 1\n--!include boards\nreturn boards.setAllTime(nil, nil, 'm', 5, 0)\n");
        var boardsLine = Source("boards").Split('\n').Select((l, i) => (l, i + 1))
            .First(x => x.l.Contains("redis.call('ZADD', key, points, entry)", StringComparison.Ordinal)).Item2;

        var e = await Assert.ThrowsAsync<RedisServerException>(() => script.RunAsync(Factory.Redis.GetDatabase(), [], []));

        Assert.Contains($"boards.lua:{boardsLine}", e.Message);
        Assert.DoesNotContain("user_script", e.Message);
    }

    [Fact]
    public async Task ScriptError_InTheScriptItself_KeepsItsOwnLineNumbers()
    {
        var script = RedisScript.FromSource("failing-driver", "--!include kpis\n--!include boards\nlocal x = nil\nreturn x.y\n");

        var e = await Assert.ThrowsAsync<RedisServerException>(() => script.RunAsync(Factory.Redis.GetDatabase(), [], []));

        Assert.Contains("failing-driver.lua:4", e.Message);
    }

    private static (string[] Keys, string[] Args) Expected(Type record)
    {
        var slots = (IReadOnlyList<ScriptSlot>)typeof(ScriptArgs<>).MakeGenericType(record).GetProperty("Slots")!.GetValue(null)!;
        string Name(ScriptSlot s) => s.Kind switch
        {
            ScriptSlotKind.Nested => "@" + s.Nested!.GetCustomAttribute<LuaScriptAttribute>()!.Name,
            ScriptSlotKind.KeyRest or ScriptSlotKind.ArgRest => Normalize(s.Name) + "..",
            _ => Normalize(s.Name),
        };
        return ([.. slots.Where(s => s.Kind is ScriptSlotKind.Key or ScriptSlotKind.KeyRest or ScriptSlotKind.Nested).Select(Name)],
            [.. slots.Where(s => s.Kind is ScriptSlotKind.Arg or ScriptSlotKind.ArgRest or ScriptSlotKind.Nested).Select(Name)]);
    }

    internal static string Normalize(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    private static string Snake(string pascal) => PascalWord().Replace(pascal, "_$1").TrimStart('_').ToUpperInvariant();

    private static string Source(string name)
    {
        using var stream = Api.GetManifestResourceStream($"Rewards.Api.Scripts.{name}.lua")!;
        return new StreamReader(stream).ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\b([A-Z][A-Z_]*) = '([^']*)'")]
    private static partial Regex MemberField();

    [GeneratedRegex("([A-Z])")]
    private static partial Regex PascalWord();
}

/// <summary>
/// Reads a script's block of named keys and arguments: the lines between <c>--!keys</c>, <c>--!args</c> and <c>--!end</c>.
/// Two forms: <c>local a, b = KEYS[1], tonumber(KEYS[2])</c> (positions must run 1, 2, ...; a trailing plain number n
/// or <c>{unpack(KEYS, n)}</c> is the rest from n), or one <c>local NAME = L.key()</c> (or <c>KEY.NAME = L.key()</c>) /
/// <c>L.arg(module.ARG_COUNT)</c> per line (layout.lua: positions follow from the order; a module's count splices that module's record).
/// Names come back normalized (lower case, no '_'), a rest as "name..", a spliced module as "@module".
/// </summary>
internal static partial class LuaBlock
{
    public static (string[] Keys, string[] Args) Parse(string source)
    {
        var lines = source.Split('\n');
        int Marker(string m) => Array.FindIndex(lines, l => l.Trim() == m);
        var (k, a, end) = (Marker("--!keys"), Marker("--!args"), Marker("--!end"));
        Assert.True(k >= 0 && a > k && end > a, "the script has no --!keys / --!args / --!end block");
        return (Names(lines[(k + 1)..a], "KEYS", "key"), Names(lines[(a + 1)..end], "ARGV", "arg"));
    }

    private static string[] Names(string[] lines, string table, string layout)
    {
        var names = new List<string>();
        foreach (var raw in lines)
        {
            var line = raw.Split("--")[0].Trim();
            if (line.Length == 0)
            {
                continue;
            }
            var m = Declaration().Match(line);
            Assert.True(m.Success, $"not a declaration of the block: {raw}");
            var declared = m.Groups[1].Value.Split(',').Select(n => n.Trim()).ToArray();
            var values = m.Groups[2].Value;
            if (LayoutValue().Match(values) is { Success: true } l)
            {
                Assert.Equal(layout, l.Groups[1].Value);
                Assert.Single(declared);
                names.Add(l.Groups[2].Success ? "@" + l.Groups[2].Value : ScriptContractTests.Normalize(declared[0]));
                continue;
            }
            var positions = Position().Matches(values).ToArray();
            Assert.Equal(declared.Length, positions.Length);
            for (var i = 0; i < declared.Length; i++)
            {
                var p = positions[i];
                var rest = p.Groups["rest"].Success || p.Groups["from"].Success;
                if (p.Groups["table"].Success || p.Groups["rtable"].Success)
                {
                    Assert.Equal(table, p.Groups["table"].Success ? p.Groups["table"].Value : p.Groups["rtable"].Value);
                }
                var at = int.Parse(p.Groups["at"].Success ? p.Groups["at"].Value : p.Groups["rest"].Success ? p.Groups["rest"].Value : p.Groups["from"].Value);
                Assert.True(at == names.Count + 1, $"{declared[i]} is {table}[{at}], expected position {names.Count + 1}");
                names.Add(ScriptContractTests.Normalize(declared[i]) + (rest ? ".." : ""));
            }
        }
        return [.. names];
    }

    [GeneratedRegex(@"^(?:local\s+|[A-Z]+\.)([A-Za-z_][\w\s,]*?)\s*=\s*(.+)$")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"^L\.(key|arg)\((?:(\w+)\.\w+_COUNT)?\)$")]
    private static partial Regex LayoutValue();

    [GeneratedRegex(@"(?<table>KEYS|ARGV)\[(?<at>\d+)\]|\{unpack\((?<rtable>KEYS|ARGV),\s*(?<rest>\d+)\)\}|(?<![\w\['])(?<from>\d+)(?![\w\]'])")]
    private static partial Regex Position();
}
