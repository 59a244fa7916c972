using Exp.Cli.Tests.Support;
using Exp.Engine.Images;
using Exp.Engine.Objective;
using Exp.Runner.Trials;
using Exp.Spec;
using Exp.Testing;
using Exp.Tracking.Recording;

namespace Exp.Cli.Tests;

/// <summary>
/// One step axis in a real sweep's store, as MLflow's UI reads it: every record of an epoch (its
/// held-out metrics, the epoch counter, its pictures; the test metrics and figure after the last)
/// sits at the global step that ended that epoch, as PyTorch Lightning logs per-epoch values.
/// </summary>
public sealed class StepAxisTests : IDisposable
{
    private readonly Workspace workspace = new();

    [Fact]
    public async Task Every_image_of_a_sweep_sits_at_a_step_where_its_epoch_metrics_are_logged()
    {
        // 300 training images in batches of 100: epochs end at steps 3 and 6.
        var spec = workspace.WriteSpec("""
            experiment: step-axis
            data: {dataset: fashion-mnist, train_limit: 334, test_limit: 50}
            model: {channels: [4], latent_dim: 2}
            train: {epochs: 2, batch_size: 100, log_every: 1}
            eval: {sample_count: 4, reconstruction_count: 4, test_iwae_samples: 0, proposal_comparison: true, proposal_k: [1, 10], proposal_images: 8, proposal_repeats: 2}
            sweep:
              parameters:
                loss.kl_weight: [0.1, 1.0]
            """);

        var result = await ExpProcess.RunAsync(workspace.Directory, "run", spec);

        Assert.True(result.ExitCode == 0, result.ToString());
        var trials = workspace.Trials("step-axis");
        Assert.Equal(2, trials.Count);
        foreach (var trial in trials)
        {
            var runId = trial.Run.RunId;
            // Independently of the epoch counter: with a loss logged every step, an epoch ends on its last loss step.
            Assert.Equal(Enumerable.Range(1, 6).Select(step => (long)step), workspace.History(trial, Metrics.TrainLoss).Select(m => m.Step));
            var epochEnds = workspace.History(trial, Metrics.Epoch).Select(m => (Epoch: m.Value, m.Step)).ToList();
            Assert.Equal([(1.0, 3L), (2.0, 6L)], epochEnds);
            long[] ends = [3, 6];

            // MLflow's charts draw every metric over "Step": the held-out metrics of an epoch share its step,
            // so a metric chart and the image slider (below) can be read at the same step.
            Assert.Equal(ends, workspace.History(trial, Metrics.Elbo).Select(m => m.Step));
            Assert.Equal(ends, workspace.History(trial, Metrics.ActiveUnits).Select(m => m.Step));
            Assert.Equal([6L], workspace.History(trial, Metrics.TestElbo).Select(m => m.Step));

            // MLflow's image card (ImageGridPlot) shows metadataByStep[step]: only an image logged at exactly the step
            // the slider or the charts' shared step selects. Logged at the epoch (1, 2) while metrics are at 3 and 6,
            // the cards said "No image logged at this step". So every image is at a step where its epoch's metrics are.
            var images = workspace.Store.ListArtifacts(runId)
                .Select(path => ImageArtifactNames.TryParse(path, out var key, out var step) ? (Key: key, Step: step) : default)
                .Where(image => image.Key is not null)
                .ToList();
            Assert.NotEmpty(images);
            Assert.All(images, image => Assert.Contains(image.Step, ends));
            Assert.Equal(ends, images.Where(i => i.Key == ImageKeys.Samples).Select(i => i.Step).Order());
            Assert.Equal(ends, images.Where(i => i.Key == ImageKeys.Reconstructions).Select(i => i.Step).Order());
            Assert.Equal(ends, images.Where(i => i.Key == ImageKeys.KlPerDimension).Select(i => i.Step).Order());
            // The figure of the end sits beside the test metrics, at the last epoch's step.
            Assert.Equal([6L], images.Where(i => i.Key == ImageKeys.ProposalComparison).Select(i => i.Step));
            // The UI's grid loads the preview beside each image: one per image, at the same step.
            Assert.Equal(
                images.Select(i => (i.Key, i.Step)).Order(),
                workspace.Store.ListArtifacts(runId).Where(p => p.EndsWith("%compressed.webp", StringComparison.Ordinal))
                    .Select(p => p[..^"%compressed.webp".Length] + ".png")
                    .Select(p => ImageArtifactNames.TryParse(p, out var key, out var step) ? (key, step) : default).Order());
        }

        // The report still finds each epoch's pictures: the epoch buttons read 1 and 2, not the steps.
        var report = File.ReadAllText(Path.Combine(workspace.Store.ArtifactDirectory(Assert.Single(workspace.Catalog.Sweeps()).Run.RunId), "report.html"));
        Assert.Contains("<div class=\"epochs\">epoch ", report, StringComparison.Ordinal);
        Assert.Contains("data-epoch=\"1\"", report, StringComparison.Ordinal);
        Assert.Contains("data-epoch=\"2\"", report, StringComparison.Ordinal);
        Assert.DoesNotContain("data-epoch=\"6\"", report, StringComparison.Ordinal);
    }

    public void Dispose() => workspace.Dispose();
}
