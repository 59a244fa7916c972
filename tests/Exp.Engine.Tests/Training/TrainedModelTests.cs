using Exp.Engine.Data;
using Exp.Engine.Objective;
using Exp.Spec;
using static TorchSharp.torch;

namespace Exp.Engine.Tests.Training;

public class TrainedModelTests(TrainedModelFixture trained) : IClassFixture<TrainedModelFixture>
{
    [Fact]
    public void A_few_hundred_steps_raise_the_held_out_elbo_clearly()
    {
        Assert.Equal(248, trained.Result.Steps);
        var before = trained.Before[Metrics.Elbo];
        var after = trained.Result.Metrics[Metrics.Elbo];

        // Untrained, the mean image is ~0.5 everywhere: squared error ~0.1 per pixel, a
        // likelihood near -4,000 nats at sigma 0.1. Trained, it is ten times smaller.
        Assert.True(after > before + 2000, $"ELBO {before:F1} -> {after:F1} nats");
        Assert.True(trained.Result.Metrics[Metrics.Mse] < 0.5 * trained.Before[Metrics.Mse]);
        Assert.Equal(after, trained.Observer.Evaluations[^1].Metrics[Metrics.Elbo]);
        Assert.True(trained.Observer.Evaluations[0].Metrics[Metrics.Elbo] < after);
    }

    [Fact]
    public void Importance_weighting_tightens_the_bound_as_k_grows_and_beats_the_prior()
    {
        using var vae = trained.LoadModel();
        using var data = Datasets.Load(trained.Config.Data, trained.Config.Seed);
        var images = data.Test.narrow(0, 0, 100);

        double Mean(Func<Generator, Tensor> estimate)
        {
            using var _ = no_grad();
            return estimate(new Generator(11)).mean().item<double>();
        }
        var (mu, logvar) = vae.Encode(images);
        var elbo = Evaluator.Evaluate(vae, images, 500, 0, new Generator(11)).Metrics[Metrics.Elbo];
        var iwae1 = Mean(g => Evaluator.ImportanceWeighted(vae, images, mu, logvar, 1, g));
        var iwae10 = Mean(g => Evaluator.ImportanceWeighted(vae, images, mu, logvar, 10, g));
        var iwae100 = Mean(g => Evaluator.ImportanceWeighted(vae, images, mu, logvar, 100, g));
        var prior100 = Mean(g => Evaluator.PriorWeighted(vae, images, 100, g));

        // IWAE(1) is a one-sample ELBO whose KL is not analytic: equal in expectation.
        Assert.Equal(elbo, iwae1, Math.Abs(elbo) * 0.02);
        Assert.True(elbo < iwae10 && iwae10 < iwae100, $"ELBO {elbo:F2}, IWAE(10) {iwae10:F2}, IWAE(100) {iwae100:F2}");
        Assert.True(prior100 < iwae100, $"prior {prior100:F2} vs q {iwae100:F2}");
    }

    [Fact]
    public void At_equal_n_sampling_q_estimates_log_p_x_with_a_smaller_error_than_the_prior()
    {
        using var vae = trained.LoadModel();
        using var data = Datasets.Load(trained.Config.Data, trained.Config.Seed);
        using var images = data.Test.narrow(0, 0, 12);

        var result = ProposalComparison.Run(vae, images, [1, 10, 100], repeats: 4, new Generator(3));

        Assert.Equal((12, 4, 300), (result.Images, result.Repeats, result.ReferenceK));
        for (var i = 0; i < 3; i++)
        {
            Assert.True(result.Q.Mse[i] < result.Prior.Mse[i], $"k={result.Ks[i]}: MSE q {result.Q.Mse[i]:F1} vs prior {result.Prior.Mse[i]:F1}");
            // Both estimate log p(x) from below (Jensen): the prior by far more.
            Assert.True(result.Prior.Bias[i] < result.Q.Bias[i] && result.Q.Bias[i] < 3 * result.Q.BiasSe[i], $"k={result.Ks[i]}: bias q {result.Q.Bias[i]:F2}, prior {result.Prior.Bias[i]:F1}");
            // MSE >= bias^2 image by image, so also on average.
            Assert.True(result.Prior.Mse[i] >= result.Prior.Bias[i] * result.Prior.Bias[i] * 0.999);
        }
        Assert.True(result.Q.Mse[2] < result.Q.Mse[0] && result.Prior.Mse[2] < result.Prior.Mse[0]);
        // K_r is a mean of independent terms: unbiased for its own target, its MSE falls as 1/n.
        var ratio = result.Recon.Mse[0] / result.Recon.Mse[2];
        Assert.InRange(ratio, 100 / 4.0, 100 * 4.0);
        // K_r's target E_q[log p(x|z)] is the ELBO plus KL(q(z|x) || p(z)), not log p(x): less that KL it is
        // the ELBO, below log p(x) by KL(q(z|x) || p(z|x)) (Jensen). Whether it lies above or below log p(x)
        // depends on which KL is larger, and for this briefly trained model the two are close.
        vae.eval();
        float kl;
        using (no_grad())
        {
            var (mu, logvar) = vae.Encode(images);
            kl = Gaussian.KlToStandardNormal(mu, logvar).mean().item<float>();
        }
        Assert.True(result.ReconReference - kl < result.Reference - 1, $"E_q log p(x|z) {result.ReconReference:F1} - KL {kl:F1} vs log p(x) {result.Reference:F1}");
    }

    [Fact]
    public void Each_epoch_reports_pictures_and_a_checkpoint_at_the_step_that_ended_it()
    {
        Assert.Equal(Enumerable.Range(1, 8), trained.Observer.Evaluations.Select(e => e.Epoch));
        // One step axis, as Lightning logs per-epoch values: an epoch's metrics and pictures at the global step of its last batch.
        var ends = trained.Observer.Steps.GroupBy(s => s.Epoch).Select(epoch => epoch.Max(s => s.Step)).ToList();
        Assert.Equal(8, ends.Count);
        Assert.Equal(ends, trained.Observer.Evaluations.Select(e => e.Step));
        Assert.Equal(ends, trained.Observer.Images.Where(i => i.Key == "samples").Select(i => i.Step));
        Assert.Equal(ends, trained.Observer.Images.Where(i => i.Key == "reconstructions").Select(i => i.Step));
        Assert.Equal(ends, trained.Observer.Images.Where(i => i.Key == "kl_per_dimension").Select(i => i.Step));
        Assert.Equal(Enumerable.Range(1, 8), trained.Observer.Checkpoints.Select(c => c.Epoch));
        Assert.Equal([Path.GetFileName(trained.Observer.Checkpoints[^1].Path)],
            Directory.GetDirectories(trained.Directory).Select(Path.GetFileName));
    }
}
