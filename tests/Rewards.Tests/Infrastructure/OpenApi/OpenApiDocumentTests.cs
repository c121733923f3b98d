using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Infrastructure.OpenApi;

public sealed class OpenApiDocumentTests(RewardsApiFactory factory) : ApiTest(factory)
{
    public const string CommittedPath = "openapi/rewards.v1.json";
    public const string RegenerateCommand = "scripts/openapi";

    [Fact]
    public async Task CommittedDocument_EqualsGeneratedDocument()
    {
        var generated = (await Client.GetStringAsync("/swagger/v1/swagger.json")).ReplaceLineEndings("\n").TrimEnd() + "\n";
        var path = Path.Combine(RepositoryRoot.Path, CommittedPath);
        if (Environment.GetEnvironmentVariable("REWARDS_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, generated);
        }
        var committed = File.Exists(path) ? (await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n") : "";
        Assert.True(committed == generated,
            $"{CommittedPath} differs from the document the API generates. Regenerate it with `{RegenerateCommand}` and commit it.");
    }
}
