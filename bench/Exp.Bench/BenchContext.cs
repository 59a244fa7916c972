using System.Globalization;

namespace Exp.Bench;

/// <summary>Where things are: the repository, the `exp` under test, and a scratch folder per run.</summary>
public sealed class BenchContext : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("exp-bench-").FullName;
    private int runs;

    /// <summary>Publishes the working tree's `exp` as scripts/install.sh does (ReadyToRun, Release), into the scratch folder.</summary>
    public BenchContext(int rounds)
    {
        Rounds = rounds;
        RepoRoot = FindRepoRoot();
        var published = Path.Combine(scratch, "exp");
        ProcessProbe.Run("dotnet", ["publish", Path.Combine(RepoRoot, "src", "Exp.Cli", "Exp.Cli.csproj"), "-c", "Release", "-o", published, "--nologo", "-v", "quiet"],
            RepoRoot);
        Exp = Path.Combine(published, "exp");
    }

    public int Rounds { get; }

    public string RepoRoot { get; }

    public string Exp { get; }

    /// <summary>The main example: a conv VAE on Fashion-MNIST, four trials in its sweep.</summary>
    public string Spec => Path.Combine(RepoRoot, "experiments", "kl-sweep.yaml");

    /// <summary>Child processes get no MLflow server and no malloc settings of the caller's shell, unless asked.</summary>
    public static Dictionary<string, string?> CleanEnvironment(params (string Name, string? Value)[] settings)
    {
        var environment = new Dictionary<string, string?>
        {
            ["MLFLOW_TRACKING_URI"] = null,
            ["MLFLOW_EXPERIMENT_NAME"] = null,
            ["GLIBC_TUNABLES"] = null,
            ["OMP_WAIT_POLICY"] = null,
            ["EXP_MALLOC_TUNING"] = null,
            ["CI"] = "true",
        };
        foreach (var (name, value) in settings)
            environment[name] = value;
        return environment;
    }

    /// <summary>
    /// On a machine busy with other work (--shared-machine), OpenMP threads wait passively: spinning
    /// threads of a process whose cores are oversubscribed burn the time its other threads need
    /// (measured here at load 25 on 2 cores: 85 images/s spinning, 1,460 waiting passively).
    /// </summary>
    public static (string, string?)[] OpenMpWaits(bool sharedMachine) => sharedMachine ? [("OMP_WAIT_POLICY", "PASSIVE")] : [];

    /// <summary>A fresh empty folder for one child process (its runs/ lands there).</summary>
    public string NewRunFolder(string label)
    {
        var folder = Path.Combine(scratch, $"{Interlocked.Increment(ref runs):D3}-{label}");
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    private static string FindRepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Experiments.sln")))
                return directory.FullName;
        }
        throw new DirectoryNotFoundException("the repository (Experiments.sln) is not above this benchmark's folder");
    }
}
