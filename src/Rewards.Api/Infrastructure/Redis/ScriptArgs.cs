using System.Reflection;

namespace Rewards.Api.Infrastructure.Redis;

/// <summary>
/// A script's keys and arguments as one record: its constructor parameters, in order, are the script's KEYS and ARGV.
/// A <see cref="RedisKey"/> parameter is the next key; a <see cref="RedisKey"/>[] the remaining keys (last key only);
/// another <see cref="IScriptArgs"/> record is spliced in place (its keys among the keys, its arguments among the
/// arguments); anything else is the next argument (bool as 1/0). The Lua side names the same list once, in the block
/// between <c>--!keys</c> and <c>--!end</c> of the script named by <see cref="LuaScriptAttribute"/>; ScriptContractTests
/// checks that both agree, so adding a parameter is one record parameter and one Lua line.
/// </summary>
public interface IScriptArgs;

/// <summary>The Lua script (or module) whose keys and arguments this record builds.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class LuaScriptAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

public enum ScriptSlotKind { Key, Arg, Nested, KeyRest, ArgRest }

/// <summary>One parameter of a script record: its name, what it is, and for a spliced record its type.</summary>
public sealed record ScriptSlot(string Name, ScriptSlotKind Kind, Type? Nested = null);

/// <summary>Builds KEYS and ARGV from a script record (see <see cref="IScriptArgs"/>). Getters are bound once per type.</summary>
public static class ScriptArgs<T> where T : class, IScriptArgs
{
    private static readonly Action<T, RedisKey[], int, RedisValue[], int>[] Writers;

    /// <summary>The record's parameters in order (the contract the Lua block must match).</summary>
    public static IReadOnlyList<ScriptSlot> Slots { get; }

    /// <summary>Fixed counts: keys and arguments, spliced records included, rest arrays excluded.</summary>
    public static int KeyCount { get; }

    public static int ArgCount { get; }

    private static readonly Func<T, RedisKey[]>? KeyRest;
    private static readonly Func<T, RedisValue[]>? ArgRest;

    static ScriptArgs()
    {
        var parameters = typeof(T).GetConstructors().OrderByDescending(c => c.GetParameters().Length).First().GetParameters();
        var slots = new List<ScriptSlot>();
        var writers = new List<Action<T, RedisKey[], int, RedisValue[], int>>();
        int keys = 0, args = 0;
        foreach (var p in parameters)
        {
            var property = typeof(T).GetProperty(p.Name!, BindingFlags.Public | BindingFlags.Instance)
                ?? throw new InvalidOperationException($"{typeof(T).Name}.{p.Name}: a script record's parameters must be properties.");
            var getter = property.GetMethod!;
            var type = p.ParameterType;
            var isKey = type == typeof(RedisKey) || type == typeof(RedisKey[]) || typeof(IScriptArgs).IsAssignableFrom(type);
            var isArg = !isKey || typeof(IScriptArgs).IsAssignableFrom(type);
            if ((isKey && KeyRest is not null) || (isArg && ArgRest is not null))
            {
                throw new InvalidOperationException($"{typeof(T).Name}.{p.Name}: a rest array must be the last of its list.");
            }
            if (type == typeof(RedisKey))
            {
                var get = getter.CreateDelegate<Func<T, RedisKey>>();
                var at = keys++;
                writers.Add((v, k, ko, _, _) => k[ko + at] = get(v));
                slots.Add(new ScriptSlot(p.Name!, ScriptSlotKind.Key));
            }
            else if (type == typeof(RedisKey[]))
            {
                KeyRest = getter.CreateDelegate<Func<T, RedisKey[]>>();
                slots.Add(new ScriptSlot(p.Name!, ScriptSlotKind.KeyRest));
            }
            else if (type == typeof(RedisValue[]))
            {
                ArgRest = getter.CreateDelegate<Func<T, RedisValue[]>>();
                slots.Add(new ScriptSlot(p.Name!, ScriptSlotKind.ArgRest));
            }
            else if (typeof(IScriptArgs).IsAssignableFrom(type))
            {
                var nested = typeof(Nested<>).MakeGenericType(typeof(T), type);
                var write = (Action<T, RedisKey[], int, RedisValue[], int>)nested.GetMethod(nameof(Nested<IScriptArgs>.Writer))!
                    .Invoke(null, [getter, keys, args])!;
                writers.Add(write);
                keys += (int)nested.GetProperty(nameof(Nested<IScriptArgs>.KeyCount))!.GetValue(null)!;
                args += (int)nested.GetProperty(nameof(Nested<IScriptArgs>.ArgCount))!.GetValue(null)!;
                slots.Add(new ScriptSlot(p.Name!, ScriptSlotKind.Nested, type));
            }
            else
            {
                var at = args++;
                writers.Add(ArgWriter(getter, type, at));
                slots.Add(new ScriptSlot(p.Name!, ScriptSlotKind.Arg));
            }
        }
        Writers = [.. writers];
        Slots = slots;
        KeyCount = keys;
        ArgCount = args;
    }

    private static Action<T, RedisKey[], int, RedisValue[], int> ArgWriter(MethodInfo getter, Type type, int at)
    {
        if (type == typeof(string)) { var g = getter.CreateDelegate<Func<T, string>>(); return (v, _, _, a, ao) => a[ao + at] = g(v); }
        if (type == typeof(long)) { var g = getter.CreateDelegate<Func<T, long>>(); return (v, _, _, a, ao) => a[ao + at] = g(v); }
        if (type == typeof(int)) { var g = getter.CreateDelegate<Func<T, int>>(); return (v, _, _, a, ao) => a[ao + at] = g(v); }
        if (type == typeof(bool)) { var g = getter.CreateDelegate<Func<T, bool>>(); return (v, _, _, a, ao) => a[ao + at] = g(v) ? 1 : 0; }
        if (type == typeof(RedisValue)) { var g = getter.CreateDelegate<Func<T, RedisValue>>(); return (v, _, _, a, ao) => a[ao + at] = g(v); }
        throw new InvalidOperationException($"{typeof(T).Name}: no script argument of type {type.Name}.");
    }

    /// <summary>Writes the record's keys and arguments into arrays at the given offsets (for spliced records).</summary>
    public static void WriteTo(T value, RedisKey[] keys, int keyOffset, RedisValue[] args, int argOffset)
    {
        foreach (var write in Writers)
        {
            write(value, keys, keyOffset, args, argOffset);
        }
    }

    public static (RedisKey[] Keys, RedisValue[] Args) Build(T value)
    {
        var keyRest = KeyRest?.Invoke(value) ?? [];
        var argRest = ArgRest?.Invoke(value) ?? [];
        var keys = new RedisKey[KeyCount + keyRest.Length];
        var args = new RedisValue[ArgCount + argRest.Length];
        WriteTo(value, keys, 0, args, 0);
        keyRest.CopyTo(keys, KeyCount);
        argRest.CopyTo(args, ArgCount);
        return (keys, args);
    }

    private static class Nested<TNested> where TNested : class, IScriptArgs
    {
        public static int KeyCount => ScriptArgs<TNested>.KeyCount;

        public static int ArgCount => ScriptArgs<TNested>.ArgCount;

        public static Action<T, RedisKey[], int, RedisValue[], int> Writer(MethodInfo getter, int keyAt, int argAt)
        {
            var get = getter.CreateDelegate<Func<T, TNested>>();
            return (v, k, ko, a, ao) => ScriptArgs<TNested>.WriteTo(get(v), k, ko + keyAt, a, ao + argAt);
        }
    }
}
