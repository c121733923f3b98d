using System.Reflection;
using System.Text.Json;
using Rewards.Api.Infrastructure.Codes;
using Rewards.Api.Infrastructure.Http;

namespace Rewards.Tests.Infrastructure;

/// <summary>Checks a code set against the wire strings in use (stored in Redis, written by the scripts, sent to clients).</summary>
public static class WireCodeAssert
{
    /// <summary>
    /// The set is exactly <paramref name="wires"/> (in order), and every value round-trips through its wire string: the
    /// lookup both ways and JSON with the options of the API and of the stores.
    /// </summary>
    public static void RoundTrips<T>(params string[] wires) where T : struct, Enum
    {
        Assert.Equal(wires, WireCode<T>.Wires);
        Assert.Equal(Enum.GetValues<T>(), WireCode<T>.All);
        foreach (var value in Enum.GetValues<T>())
        {
            var wire = value.ToWire();
            Assert.True(WireCode<T>.TryParse(wire, out var parsed) && parsed.Equals(value), $"{typeof(T).Name}.{value} ← '{wire}'");
            Assert.Equal(value, WireCode<T>.Parse(wire));
            Assert.Equal($"\"{wire}\"", JsonSerializer.Serialize(value, HttpSetup.StoredJson));
            Assert.Equal(value, JsonSerializer.Deserialize<T>($"\"{wire}\"", HttpSetup.StoredJson));
            Assert.False(WireCode<T>.TryParse(wire.ToUpperInvariant() + "_", out _));
        }
        Assert.False(WireCode<T>.TryParse(null, out _));
        Assert.False(WireCode<T>.TryParse("", out _));
        Assert.Throws<InvalidOperationException>(() => WireCode<T>.Parse("no-such-code"));
    }

    /// <summary>Each wire string appears quoted in the Lua scripts (they write these codes; Redis stores them).</summary>
    public static void WrittenByScripts<T>(params string[] builtByConcatenation) where T : struct, Enum
    {
        var lua = string.Concat(typeof(WireCode<>).Assembly.GetManifestResourceNames()
            .Where(n => n.EndsWith(".lua", StringComparison.Ordinal))
            .Select(n => new StreamReader(typeof(WireCode<>).Assembly.GetManifestResourceStream(n)!).ReadToEnd()));
        foreach (var wire in WireCode<T>.Wires.Except(builtByConcatenation))
        {
            Assert.True(lua.Contains($"'{wire}'", StringComparison.Ordinal), $"{typeof(T).Name} '{wire}' appears in no Lua script");
        }
    }
}
