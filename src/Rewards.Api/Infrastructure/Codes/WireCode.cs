using System.Reflection;
using System.Text.Json.Serialization;

namespace Rewards.Api.Infrastructure.Codes;

/// <summary>
/// A closed set of domain codes (reasons, kinds, states): a C# enum whose members each carry their wire string in
/// <see cref="JsonStringEnumMemberNameAttribute"/>. That one string is what the API serializes, what the OpenAPI document
/// lists, what the Lua scripts write and what Redis stores; this class maps it both ways for the stores and validators.
/// An enum member without its wire string fails at first use (and in the code tests).
/// </summary>
public static class WireCode<T> where T : struct, Enum
{
    private static readonly (T Value, string Wire)[] Pairs = [.. typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => ((T)f.GetValue(null)!, f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
            ?? throw new InvalidOperationException($"{typeof(T).Name}.{f.Name} has no [JsonStringEnumMemberName]: give it its wire string.")))];

    private static readonly Dictionary<T, string> ToWireMap = Pairs.ToDictionary(p => p.Value, p => p.Wire);
    private static readonly Dictionary<string, T> FromWireMap = Pairs.ToDictionary(p => p.Wire, p => p.Value, StringComparer.Ordinal);

    /// <summary>Every value, in declaration order.</summary>
    public static IReadOnlyList<T> All { get; } = [.. Pairs.Select(p => p.Value)];

    /// <summary>Every wire string, in declaration order.</summary>
    public static IReadOnlyList<string> Wires { get; } = [.. Pairs.Select(p => p.Wire)];

    public static string ToWire(T value) =>
        ToWireMap.TryGetValue(value, out var wire) ? wire : throw new ArgumentOutOfRangeException(nameof(value), value, $"No {typeof(T).Name}.");

    /// <summary>Exact, case-sensitive match of a wire string (what requests send and Redis stores).</summary>
    public static bool TryParse(string? wire, out T value)
    {
        value = default;
        return wire is not null && FromWireMap.TryGetValue(wire, out value);
    }

    /// <summary>A wire string the API itself stored; an unknown one means data and code disagree.</summary>
    public static T Parse(string wire) => TryParse(wire, out var value) ? value
        : throw new InvalidOperationException($"'{wire}' is no {typeof(T).Name} (stored data and code disagree).");

    /// <summary>The wire strings as an English list for messages and descriptions: "a, b or c" (each in backticks when asked).</summary>
    public static string List(string conjunction = "or", bool code = false)
    {
        var items = Wires.Select(w => code ? $"`{w}`" : w).ToList();
        return items.Count == 1 ? items[0] : $"{string.Join(", ", items.Take(items.Count - 1))} {conjunction} {items[^1]}";
    }
}

public static class WireCodeExtensions
{
    /// <summary>The value's wire string (as serialized, stored and written by the scripts).</summary>
    public static string ToWire<T>(this T value) where T : struct, Enum => WireCode<T>.ToWire(value);
}

/// <summary>
/// On a request property kept as a string (so that an unknown value is a 400 naming the field and the accepted values, not
/// an unreadable body): the OpenAPI document lists the code set's wire strings, or <paramref name="only"/> of them, as its enum.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class WireValuesAttribute(Type codes, params string[] only) : Attribute
{
    public IReadOnlyList<string> Values { get; } = only.Length > 0 ? only
        : (IReadOnlyList<string>)typeof(WireCode<>).MakeGenericType(codes).GetProperty(nameof(WireCode<DayOfWeek>.Wires))!.GetValue(null)!;
}
