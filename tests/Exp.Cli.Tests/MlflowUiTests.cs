using Exp.Catalog;
using Exp.Cli.Tests.Support;
using Exp.Engine.Objective;
using Exp.Runner.Sweeps;
using Exp.Runner.Trials;
using Exp.Spec;
using Exp.Testing;
using Exp.Tracking.Model;

namespace Exp.Cli.Tests;

/// <summary>
/// What MLflow's own UI needs from a sweep's store to compare its trials, checked on the store a
/// real 2-trial sweep on Fashion-MNIST leaves. Each assertion names the UI behaviour it protects
/// (read in MLflow 3.6's mlflow/server/js and its file store).
/// </summary>
public sealed class MlflowUiTests : IDisposable
{
    private readonly Workspace workspace = new();

    [Fact]
    public async Task A_sweep_store_opens_in_MLflow_compare_view_on_its_objective_with_a_summarised_parent_and_readable_params()
    {
        var spec = workspace.WriteSpec("""
            experiment: ui-compare
            data: {dataset: fashion-mnist, train_limit: 300, test_limit: 100}
            model: {channels: [8, 16], latent_dim: 4}
            train: {epochs: 2, batch_size: 100, log_every: 1}
            eval: {sample_count: 4, reconstruction_count: 4, test_iwae_samples: 0}
            sweep:
              parameters:
                loss.kl_weight: [1e-5, 1.0]
            """);

        var result = await ExpProcess.RunAsync(workspace.Directory, "run", spec, "--parallel", "2");

        Assert.True(result.ExitCode == 0, result.ToString());
        var store = workspace.Store;
        var experimentId = workspace.ExperimentId("ui-compare");
        var trials = workspace.Trials("ui-compare");
        Assert.Equal(2, trials.Count);
        var parent = Assert.Single(store.ListRuns(experimentId), run => store.GetTags(run.RunId).ContainsKey(TrialTags.SweepId));

        // Without mlflow.experimentKind the experiment page opens on "We've automatically detected
        // the experiment type ... Confirm"; confirming "Machine learning" writes this value. MLflow's
        // file store reads experiment tags from <experiment>/tags/<key>.
        Assert.Equal(
            MlflowTags.MachineLearningExperiment,
            File.ReadAllText(Path.Combine(workspace.Runs, experimentId, "tags", MlflowTags.ExperimentKind)));

        foreach (var trial in trials)
        {
            var metrics = Path.Combine(store.RunDirectory(trial.Run.RunId), "metrics");
            // The compare view's parallel-coordinates plot opens on the first metric the runs share,
            // and MLflow's file store lists a run's top-level metric files first (os.walk): the
            // objective must be the only one there, with `epoch` moved into train/.
            Assert.Equal([ObjectiveMetric.Key], Directory.GetFiles(metrics).Select(Path.GetFileName));
            Assert.Equal(
                workspace.History(trial, Metrics.Elbo).Select(m => (m.Step, m.Value)),
                workspace.History(trial, ObjectiveMetric.Key).Select(m => (m.Step, m.Value)));
            Assert.Equal([1.0, 2.0], workspace.History(trial, Metrics.Epoch).Select(m => m.Value));
            var tags = store.GetTags(trial.Run.RunId);
            Assert.Equal(Metrics.Elbo, tags[TrialTags.ObjectiveMetric]);
            Assert.Equal("maximize", tags[TrialTags.ObjectiveGoal]);

            // The compare view turns ' into " and pretty-prints any value that then parses as JSON,
            // so a list param is a tall row whatever its form; it must at least be the one line
            // mlflow.log_param writes, str() of the Python list, so filters written for Python runs match.
            var parameters = store.GetParams(trial.Run.RunId);
            Assert.Equal("[1, 10, 100, 1000]", parameters["eval.proposal_k"]);
            Assert.Equal("[8, 16]", parameters["model.channels"]);
            Assert.All(parameters, param => Assert.DoesNotContain('\n', param.Value));
        }

        // The parent's row in the runs table: the best trial's objective in the trials' own
        // `objective` column, which trial that is, and how the trials ended.
        var best = trials.MaxBy(trial => workspace.History(trial, Metrics.Elbo).Last().Value)!;
        var parentTags = store.GetTags(parent.RunId);
        Assert.Equal(workspace.History(best, Metrics.Elbo).Last().Value, store.GetMetricHistory(parent.RunId, ObjectiveMetric.Key).Last().Value);
        Assert.Equal(best.Run.RunId, parentTags[TrialTags.BestRunId]);
        Assert.Equal(best.Name, parentTags[TrialTags.BestTrial]);
        Assert.Equal(Metrics.Elbo, parentTags[TrialTags.ObjectiveMetric]);
        Assert.Equal("maximize", parentTags[TrialTags.ObjectiveGoal]);
        Assert.Equal(2.0, store.GetMetricHistory(parent.RunId, SweepParentRun.FinishedCount).Last().Value);
        Assert.Equal(0.0, store.GetMetricHistory(parent.RunId, SweepParentRun.FailedCount).Last().Value);
        Assert.Equal(0.0, store.GetMetricHistory(parent.RunId, SweepParentRun.PrunedCount).Last().Value);

        // The UI lists an empty tag as a bare key: a sweep run without overrides has no exp.overrides.
        Assert.DoesNotContain(TrialTags.Overrides, parentTags.Keys);
        foreach (var run in store.ListRuns(experimentId))
        {
            Assert.All(store.GetTags(run.RunId), tag => Assert.NotEqual("", tag.Value));
        }
    }

    public void Dispose() => workspace.Dispose();
}
