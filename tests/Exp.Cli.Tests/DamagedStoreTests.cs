using Exp.Catalog;
using Exp.Cli.Tests.Support;
using Exp.Engine.Objective;
using Exp.Runner.Trials;
using Exp.Spec;
using Exp.Testing;
using Exp.Tracking.Model;

namespace Exp.Cli.Tests;

/// <summary>A damaged file in one run: every reader skips that run with one warning naming the file, and goes on.</summary>
public sealed class DamagedStoreTests : IDisposable
{
    private readonly Workspace workspace = new();

    [Fact]
    public async Task Ls_and_show_skip_a_run_whose_tag_file_is_damaged_with_one_warning()
    {
        var store = workspace.Store;
        var experiment = store.GetOrCreateExperiment("damaged").ExperimentId;
        var good = Trial(experiment, "aaaa00000001", "good");
        var bad = Trial(experiment, "bbbb00000002", "bad");
        var file = Path.Combine(store.RunDirectory(bad), "tags", "note");
        File.WriteAllBytes(file, [0x6f, 0x6b, 0xff, 0xfe]);

        var ls = await ExpProcess.RunAsync(workspace.Directory, "ls");
        var show = await ExpProcess.RunAsync(workspace.Directory, "show", "aaaa");

        Assert.True(ls.ExitCode == 0, ls.ToString());
        Assert.Contains(good, ls.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(bad, ls.Output, StringComparison.Ordinal);
        Assert.Equal($"warning: {file}: not UTF-8 text (byte 2 of a value MLflow reads as text); that run is skipped (repair or remove the file)", ls.Error.Trim());
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("trial good (aaaa00000001)", show.Output, StringComparison.Ordinal);
        Assert.Single(show.Error.Trim().Split('\n'), line => line.Contains(file, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_runner_skips_a_run_whose_meta_yaml_is_damaged_and_runs_the_sweep()
    {
        var store = workspace.Store;
        var experiment = store.GetOrCreateExperiment("tiny").ExperimentId;
        var meta = Path.Combine(store.RunDirectory(Trial(experiment, "cccc00000003", "old")), "meta.yaml");
        File.WriteAllText(meta, "run_id: [unclosed\n");
        var spec = workspace.WriteSpec("""
            experiment: tiny
            data: {dataset: fashion-mnist, train_limit: 200, test_limit: 50}
            model: {channels: [4], latent_dim: 2}
            train: {epochs: 1, batch_size: 100}
            eval: {sample_count: 4, reconstruction_count: 4, test_iwae_samples: 0}
            """);

        var result = await ExpProcess.RunAsync(workspace.Directory, "run", spec);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(RunStatus.Finished, Assert.Single(workspace.Trials("tiny")).Run.Status);
        Assert.Single(result.Error.Split('\n'), line => line.Contains(meta, StringComparison.Ordinal) && line.Contains("that run is skipped", StringComparison.Ordinal));
    }

    private string Trial(string experimentId, string trialId, string name)
    {
        var store = workspace.Store;
        var run = store.CreateRun(experimentId, new RunStart(name) { Tags = [new RunTag(TrialTags.TrialId, trialId), new RunTag("note", "ok")] });
        store.LogMetrics(run.RunId, [new Metric(Metrics.Elbo, -250, 1, 1)]);
        store.UpdateRun(run.RunId, RunStatus.Finished, 2);
        return run.RunId;
    }

    public void Dispose() => workspace.Dispose();
}
