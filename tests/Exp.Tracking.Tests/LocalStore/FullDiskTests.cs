using System.Diagnostics;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking.Tests.Support;

namespace Exp.Tracking.Tests.LocalStore;

/// <summary>The store on a real full disk: a 64 KiB tmpfs (mounted as root, as the Slurm tests run), filled up.</summary>
public sealed class FullDiskTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    public FullDiskTests() => Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", _root.Path);

    [Fact]
    public void A_run_whose_creation_meets_a_full_disk_is_not_left_behind_half_made()
    {
        var store = new FileStore(_root.Path);
        var experiment = store.GetOrCreateExperiment("full");
        var kept = store.CreateRun(experiment.ExperimentId, new RunStart("before"));
        // One page left: room for the new run's meta.yaml, none for its tags.
        Fill(Path.Combine(_root.Path, "filler"), leave: 4096);

        var error = Assert.Throws<IOException>(() => store.CreateRun(experiment.ExperimentId, new RunStart("after") { Tags = [new RunTag("note", new string('x', 4000))] }));

        Assert.Equal(28, error.HResult); // ENOSPC
        Assert.Equal([kept.RunId], new FileStore(_root.Path).ListRuns(experiment.ExperimentId).Select(run => run.RunId));
        Assert.Equal([Path.Combine(_root.Path, experiment.ExperimentId, kept.RunId)], Directory.GetDirectories(Path.Combine(_root.Path, experiment.ExperimentId)));
    }

    /// <summary>Writes to <paramref name="path"/> until the disk refuses more, then gives back <paramref name="leave"/> bytes.</summary>
    private static void Fill(string path, int leave)
    {
        using var filler = new FileStream(path, FileMode.Create);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                filler.Write(block);
                filler.Flush();
            }
        }
        catch (IOException full) when (full.HResult == 28)
        {
            filler.SetLength(filler.Length - leave);
        }
    }

    private static void Run(string tool, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)}: {error}");
    }

    public void Dispose()
    {
        Run("umount", "--lazy", _root.Path);
        _root.Dispose();
    }
}
