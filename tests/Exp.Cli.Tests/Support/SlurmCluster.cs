using System.Diagnostics;
using Exp.Testing;

namespace Exp.Cli.Tests.Support;

/// <summary>
/// A real throwaway Slurm cluster for the Slurm launcher's tests, started and stopped by the
/// repository's own script (scripts/slurm-cluster.sh): two slurmd nodes on this host, n1
/// and n2, with fake GPUs. Needs root, slurm-wlm and munge, as `scripts/test.sh` provides.
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"exp-slurm-tests-{System.Environment.ProcessId}");
    private readonly string port = (17000 + System.Environment.ProcessId % 500 * 4).ToString();

    public SlurmCluster()
    {
        Script("start");
        Environment = new Dictionary<string, string>
        {
            ["SLURM_CONF"] = Path.Combine(directory, "etc", "slurm.conf"),
            ["EXP_SLURM_DIR"] = directory,
            ["EXP_SLURM_PORT"] = port,
        };
    }

    /// <summary>What an `exp` process needs to talk to this cluster.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>A node failure: its slurmd, its step daemons and its jobs' processes die at once.</summary>
    public void KillNode(string node) => Script("kill-node", node);

    /// <summary>Brings a node back and waits until both nodes take jobs again.</summary>
    public void StartNode(string node)
    {
        Script("start-node", node);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!Client("sinfo", "-h", "-N", "-o", "%N %t").Split('\n', StringSplitOptions.RemoveEmptyEntries).All(line => line.EndsWith(" idle")))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"node {node} did not come back:\n{Client("sinfo", "-N")}");
            }
            Thread.Sleep(500);
        }
    }

    /// <summary>Runs a Slurm client (squeue, scancel, ...) against this cluster; returns its output.</summary>
    public string Client(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["SLURM_CONF"] = Environment["SLURM_CONF"];
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    public void Dispose() => Script("stop");

    private void Script(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepoPaths.Root, "scripts", "slurm-cluster.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["EXP_SLURM_DIR"] = directory;
        start.Environment["EXP_SLURM_PORT"] = port;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"slurm-cluster.sh {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{output.Result}\n{error}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SlurmCollection : ICollectionFixture<SlurmCluster>
{
    public const string Name = "slurm";
}
