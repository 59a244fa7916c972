using Exp.Catalog;
using Exp.Cli.Tests.Support;
using Exp.Runner.Trials;
using Exp.Testing;
using Exp.Tracking.Model;

namespace Exp.Cli.Tests;

/// <summary>A trial process that fails before its log exists still says why, where users look: the console and the run's note.</summary>
public sealed class TrialStartFailureTests : IDisposable
{
    private readonly Workspace workspace = new();

    [Fact]
    public async Task A_trial_that_cannot_open_its_log_fails_with_the_reason_on_the_console_and_in_its_run()
    {
        var spec = workspace.WriteSpec("""
            experiment: no-log
            data:
              train_limit: 60
              test_limit: 10
            model:
              channels: [8]
              latent_dim: 2
            train:
              epochs: 1
              batch_size: 50
            eval:
              sample_count: 4
              reconstruction_count: 4
              test_iwae_samples: 2
            """);
        // A first run that dies leaves the trial to be started over by the next one.
        var crashed = await ExpProcess.RunAsync(workspace.Directory, new Dictionary<string, string> { [FaultInjection.Variable] = "abort-at-step:1" }, "run", spec);
        Assert.True(crashed.ExitCode != 0, crashed.ToString());
        var run = Assert.Single(workspace.Trials("no-log")).Run;
        // A file where the trial's log folder goes: the next trial process cannot create its log.
        var logFolder = Path.GetDirectoryName(RunFolders.Log(workspace.Store.RunDirectory(run.RunId)))!;
        Directory.Delete(logFolder, recursive: true);
        File.WriteAllText(logFolder, "in the way");

        var result = await ExpProcess.RunAsync(workspace.Directory, "run", spec);

        Assert.True(result.ExitCode == 1, result.ToString());
        var trial = Assert.Single(workspace.Trials("no-log"));
        Assert.Equal(RunStatus.Failed, trial.Run.Status);
        // The trial's own words (the path it could not create), not only how its process exited.
        Assert.Contains(logFolder, trial.Failure);
        Assert.DoesNotContain("exited with code", trial.Failure);
        Assert.StartsWith(trial.Failure!, trial.Tags[TrialTags.Note]);
        Assert.Contains($"FAILED base: {trial.Failure}", result.Output);
    }

    public void Dispose() => workspace.Dispose();
}
