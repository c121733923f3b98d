using System.Reflection;
using System.Text;

namespace Rewards.Api.Features.People;

/// <summary>
/// Passwords as NIST SP 800-63B-4 (§3.1.1.2) asks: a minimum length (15 by default, <see cref="PeopleOptions.MinPasswordLength"/>),
/// at most <see cref="MaxLength"/> characters counted as Unicode code points after NFKC normalization, any character but
/// controls allowed (spaces and emoji included), no composition rules, and a blocklist: the most common passwords
/// (<c>common-passwords.txt</c>), passwords made of one short block repeated, and the person's own e-mail address.
/// </summary>
public static class PasswordRules
{
    public const int MaxLength = 128;

    private static readonly HashSet<string> Common = LoadCommon();

    /// <summary>Why the password is refused (a message saying what to change), or null when it is acceptable.</summary>
    public static string? Check(string? password, string email, int minLength)
    {
        if (string.IsNullOrEmpty(password))
        {
            return $"Required: a password of {minLength} to {MaxLength} characters (a passphrase of a few words is easy to remember).";
        }
        if (password.Any(char.IsControl))
        {
            return "Passwords cannot hold control characters (line breaks, tabs and such): every other character is welcome.";
        }
        var normalized = password.Normalize(NormalizationForm.FormKC);
        var length = normalized.EnumerateRunes().Count();
        if (length < minLength)
        {
            return $"Too short: at least {minLength} characters (this one has {length}). A passphrase of a few unrelated words works well; " +
                "no digits or symbols are required.";
        }
        if (length > MaxLength)
        {
            return $"Too long: at most {MaxLength} characters (this one has {length}).";
        }
        var lower = normalized.ToLowerInvariant();
        if (Common.Contains(lower))
        {
            return "This password is one of the most commonly used (and guessed) passwords: choose another one.";
        }
        if (IsRepetition(lower))
        {
            return "This password repeats a few characters over and over: choose one that does not.";
        }
        var local = email.Split('@')[0];
        if (lower.Contains(email, StringComparison.Ordinal) || (local.Length >= 4 && lower == local))
        {
            return "The password must not be your e-mail address: choose another one.";
        }
        return null;
    }

    /// <summary>The whole password is one block of 1 to 4 characters repeated ("aaaa…", "abcabc…").</summary>
    private static bool IsRepetition(string value)
    {
        for (var block = 1; block <= 4 && block * 2 <= value.Length; block++)
        {
            if (value.Length % block == 0 && Enumerable.Range(block, value.Length - block).All(i => value[i] == value[i - block]))
            {
                return true;
            }
        }
        return false;
    }

    private static HashSet<string> LoadCommon()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Rewards.Api.Features.People.common-passwords.txt")
            ?? throw new InvalidOperationException("The embedded list of common passwords is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                set.Add(line.Trim().ToLowerInvariant());
            }
        }
        return set;
    }
}
