namespace Rewards.Faults;

/// <summary>Prints checks as "ok" or "FAIL" lines and remembers whether any failed.</summary>
public sealed class Report
{
    public bool Failed { get; private set; }

    public static void Section(string title) => Console.WriteLine($"-- {title}");

    public static void Info(string line) => Console.WriteLine($"     {line}");

    public void Check(bool ok, string line)
    {
        Console.WriteLine($"{(ok ? "  ok " : "FAIL ")} {line}");
        Failed |= !ok;
    }
}
