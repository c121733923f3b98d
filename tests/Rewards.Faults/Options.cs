namespace Rewards.Faults;

public sealed class UsageException(string message) : Exception(message);

/// <summary>"--name value" pairs from the command line.</summary>
public sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Options Parse(string[] args)
    {
        var options = new Options();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new UsageException($"expected '--name value' pairs, got '{args[i]}'");
            }
            options._values[args[i][2..]] = args[i + 1];
        }
        return options;
    }

    public string Required(string name) =>
        _values.TryGetValue(name, out var value) ? value : throw new UsageException($"--{name} is required");

    public string? Optional(string name) => _values.GetValueOrDefault(name);

    public long Long(string name, long fallback) => _values.TryGetValue(name, out var value) ? long.Parse(value) : fallback;

    public long? Long(string name) => _values.TryGetValue(name, out var value) ? long.Parse(value) : null;

    public string[] List(string name) => Required(name).Split(',', StringSplitOptions.RemoveEmptyEntries);
}
