using System.Diagnostics;
using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Tests.Infrastructure.Redis;

/// <summary>scripts/ (bench, faults) spell keys through one shell function, program_key (scripts/lib/redis.sh): the same keys as RedisKeys.</summary>
public sealed class ShellKeysTests
{
    [Fact]
    public async Task ProgramKey_InTheShellScripts_SpellsKeysAsRedisKeysDoes()
    {
        var start = new ProcessStartInfo("bash", ["-c", "source scripts/lib/redis.sh && program_key p1 members && echo && program_key p1 m:m-1 && echo && program_key p1 perk:k1:run:r1"])
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
        };
        using var bash = Process.Start(start)!;
        var lines = (await bash.StandardOutput.ReadToEndAsync()).Split('\n');
        await bash.WaitForExitAsync();

        Assert.Equal(0, bash.ExitCode);
        Assert.Equal([(string)RedisKeys.MemberIndex("p1")!, (string)RedisKeys.Member("p1", "m-1")!, (string)RedisKeys.PerkRun("p1", "k1", "r1")!], lines);
    }
}
