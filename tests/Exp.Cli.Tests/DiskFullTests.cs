using System.Diagnostics;
using Exp.Cli.Tests.Support;
using Exp.Runner.Trials;
using Exp.Testing;
using Exp.Tracking.Model;
using Exp.Tracking.Recording;

namespace Exp.Cli.Tests;

/// <summary>
/// A disk that fills up mid-trial, for real: the store is on a tmpfs of 400 KiB (mounted as root, as the Slurm
/// tests run), which the trial's first checkpoint and pictures overflow. The run must end FAILED, saying where
/// space ran out, leave no half-written checkpoint, and resume once there is room.
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private readonly Workspace workspace = new();

    public DiskFullTests() => Mount("-t", "tmpfs", "-o", "size=400k", "tmpfs", workspace.Directory);

    [Fact]
    public async Task A_full_disk_fails_the_trial_and_the_sweep_with_the_mount_named_and_the_same_command_resumes_once_there_is_room()
    {
        var spec = workspace.WriteSpec("""
            experiment: disk-full
            data: {dataset: fashion-mnist, train_limit: 300, test_limit: 50}
            model: {channels: [8, 16], latent_dim: 4}
            train: {epochs: 2, batch_size: 100}
            eval: {sample_count: 4, reconstruction_count: 4, test_iwae_samples: 0}
            """);

        var full = await ExpProcess.RunAsync(workspace.Directory, "run", spec);

        Assert.True(full.ExitCode == 1, full.ToString());
        var noSpace = $"no space left on {workspace.Directory} (writing {workspace.Runs}/";
        Assert.Contains($"FAILED   base: {noSpace}", full.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", full.Error, StringComparison.Ordinal);
        var trial = Assert.Single(workspace.Trials("disk-full"));
        Assert.Equal(RunStatus.Failed, trial.Run.Status);
        Assert.StartsWith(noSpace, trial.Failure, StringComparison.Ordinal);
        Assert.EndsWith("then run the same command again; trials resume from their last checkpoints", trial.Failure, StringComparison.Ordinal);
        var sweep = Assert.Single(workspace.Catalog.Sweeps());
        Assert.Equal(RunStatus.Failed, sweep.Run.Status);
        Assert.Empty(Directory.EnumerateFileSystemEntries(workspace.Runs, "*.partial", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFileSystemEntries(workspace.Runs, ".exp-tmp-*", SearchOption.AllDirectories));

        Mount("-o", "remount,size=64m", workspace.Directory);
        var resumed = await ExpProcess.RunAsync(workspace.Directory, "run", spec);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var finished = Assert.Single(workspace.Trials("disk-full"));
        Assert.Equal((trial.Run.RunId, RunStatus.Finished), (finished.Run.RunId, finished.Run.Status));
        Assert.Equal(RunStatus.Finished, Assert.Single(workspace.Catalog.Sweeps()).Run.Status);
        // Each picture once per step: those logged before the failure are not left beside their second copy.
        var images = workspace.Store.ListArtifacts(finished.Run.RunId)
            .Select(path => ImageArtifactNames.TryParse(path, out var key, out var step) ? (key, step) : default)
            .Where(image => image.key is not null)
            .ToList();
        Assert.Equal(images.Distinct().Count(), images.Count);
        Assert.Equal(2, images.Count(image => image.key == "samples"));
    }

    private static void Mount(params string[] arguments)
    {
        using var mount = Process.Start(new ProcessStartInfo("mount", arguments) { RedirectStandardError = true })!;
        var error = mount.StandardError.ReadToEnd();
        mount.WaitForExit();
        Assert.True(mount.ExitCode == 0, $"mount {string.Join(' ', arguments)}: {error}");
    }

    public void Dispose()
    {
        using (var unmount = Process.Start("umount", ["--lazy", workspace.Directory]))
        {
            unmount.WaitForExit();
        }
        workspace.Dispose();
    }
}
