namespace Exp.Testing;

/// <summary>Paths in the repository, found from the test binary's folder.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Experiments => Path.Combine(Root, "experiments");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Experiments.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException($"no Experiments.sln above {AppContext.BaseDirectory}");
    }
}
