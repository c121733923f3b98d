namespace Rewards.Tests.Infrastructure;

public static class RepositoryRoot
{
    /// <summary>The checkout's top folder: the nearest parent of the test binaries holding Rewards.sln.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Rewards.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Rewards.sln not found above " + AppContext.BaseDirectory);
    }
}
