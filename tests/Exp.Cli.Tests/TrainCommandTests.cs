using Exp.Cli.Tests.Support;
using Exp.Engine.Objective;
using Exp.Spec;
using Exp.Testing;
using Exp.Tracking.Model;

namespace Exp.Cli.Tests;

public sealed class TrainCommandTests : IDisposable
{
    private readonly Workspace workspace = new();

    [Fact]
    public async Task Train_runs_the_base_trial_into_a_run_with_params_metrics_and_grids()
    {
        var spec = workspace.WriteSpec("""
            experiment: e2e-train
            data: {dataset: fashion-mnist, train_limit: 445, test_limit: 100}
            model: {channels: [8, 16], latent_dim: 4}
            train: {epochs: 2, batch_size: 100, log_every: 2}
            eval: {sample_count: 9, reconstruction_count: 4, iwae_samples: 4, test_iwae_samples: 5}
            sweep:
              parameters:
                loss.kl_weight: [0.1, 0.2]
            """);

        var result = await ExpProcess.RunAsync(workspace.Directory, "train", spec, "--summary", "loss.kl_weight=0.5");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Parameters", result.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("epoch 2/2", result.Error);
        var trial = Assert.Single(workspace.Trials("e2e-train"));
        Assert.Equal(RunStatus.Finished, trial.Run.Status);
        Assert.Null(trial.SweepRunId);
        var parameters = workspace.Store.GetParams(trial.Run.RunId);
        Assert.Equal(("0.5", "0.5", "1.0"), (parameters["loss.kl_weight"], parameters["loss.effective_beta"], parameters["loss.effective_sigma"]));
        Assert.Equal([2L, 4L, 6L, 8L], workspace.History(trial, Metrics.TrainLoss).Select(m => m.Step));
        Assert.Equal([4L, 8L], workspace.History(trial, Metrics.Elbo).Select(m => m.Step));
        Assert.Equal(2, workspace.History(trial, Metrics.Iwae).Count);
        Assert.Equal([8L], workspace.History(trial, Metrics.TestIwae).Select(m => m.Step));
        Assert.Equal(2, workspace.History(trial, Metrics.ActiveUnits).Count);
        // Per epoch: the prior's samples, the same draws at sample_std 0.85, reconstructions and the KL bars.
        var images = workspace.Store.ListArtifacts(trial.Run.RunId).Where(a => a.StartsWith("images/", StringComparison.Ordinal) && a.EndsWith(".png", StringComparison.Ordinal));
        Assert.Equal(8, images.Count());
    }

    public void Dispose() => workspace.Dispose();
}
