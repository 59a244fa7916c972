using Exp.Engine.Data;
using Exp.Engine.Models;
using Exp.Engine.Objective;
using static TorchSharp.torch;

namespace Exp.Engine.Tests.Objective;

public class EvaluatorTests
{
    private static Tensor HeldOut(int count)
    {
        using var data = Datasets.Load(TestConfigs.FashionMnist(300, count), seed: 1);
        return data.Test.clone();
    }

    [Fact]
    public void Active_units_count_the_dimensions_whose_posterior_mean_varies_over_the_data()
    {
        manual_seed(1);
        using var vae = VaeFactory.Create(TestConfigs.SmallConv(), TestConfigs.Loss(), 1, 28);
        using (no_grad())
        {
            // A latent mostly unused: 13 of 16 means are constant, 3 follow the image strongly.
            vae.Mu.weight!.narrow(0, 3, 13).zero_();
            vae.Mu.bias!.narrow(0, 3, 13).fill_(0.5);
            vae.Mu.weight!.narrow(0, 0, 3).mul_(100);
        }
        using var images = HeldOut(200);

        var evaluation = Evaluator.Evaluate(vae, images, 64, 0, new Generator(2));

        Assert.Equal(3, evaluation.Metrics[Metrics.ActiveUnits]);
        Assert.Equal(16, evaluation.KlPerDimension.Length);
        Assert.Equal(evaluation.Metrics[Metrics.Kl], evaluation.KlPerDimension.Sum(), 1e-6 * Math.Abs(evaluation.Metrics[Metrics.Kl]));
    }

    [Fact]
    public void A_posterior_equal_to_the_prior_has_no_kl_no_active_units_and_no_aggregate_mismatch()
    {
        using var vae = VaeFactory.Create(TestConfigs.SmallConv(), TestConfigs.Loss(), 1, 28);
        using (no_grad())
        {
            foreach (var layer in new[] { vae.Mu, vae.LogVar })
            {
                layer.weight!.zero_();
                layer.bias!.zero_();
            }
        }
        using var images = HeldOut(100);

        var metrics = Evaluator.Evaluate(vae, images, 64, 0, new Generator(2)).Metrics;

        Assert.Equal((0.0, 0.0), (metrics[Metrics.Kl], metrics[Metrics.ActiveUnits]));
        Assert.Equal(0.0, metrics[Metrics.AggregateKl], 1e-9);
    }

    [Fact]
    public void The_aggregate_kl_is_that_of_the_moment_matched_gaussian_of_q()
    {
        // KL(N(m, S) || N(0, I)) = 1/2 (tr S + |m|^2 - d - ln det S), with m the mean of the
        // posterior means and S their covariance plus the mean posterior variance.
        manual_seed(3);
        using var vae = VaeFactory.Create(TestConfigs.SmallConv(), TestConfigs.Loss(), 1, 28);
        using var images = HeldOut(400);

        var metrics = Evaluator.Evaluate(vae, images, 64, 0, new Generator(2)).Metrics;

        using var _ = no_grad();
        var (mu, logvar) = vae.Encode(images);
        var m = mu.to_type(ScalarType.Float64).mean([0]);
        var s = cov(mu.to_type(ScalarType.Float64).t(), correction: 0) + diag(logvar.exp().to_type(ScalarType.Float64).mean([0]));
        var expected = (0.5 * (s.trace() + m.dot(m) - 16 - linalg.slogdet(s).Item2)).item<double>();
        Assert.True(expected > 0.01, $"a random encoder's aggregate posterior is not the prior: {expected}");
        Assert.Equal(expected, metrics[Metrics.AggregateKl], 1e-6 * Math.Max(1, expected));
    }

    [Fact]
    public void The_elbo_at_sigma_star_is_the_best_elbo_over_sigma()
    {
        manual_seed(4);
        using var vae = VaeFactory.Create(TestConfigs.SmallConv(), TestConfigs.Loss(), 1, 28);
        using var images = HeldOut(100);
        var star = Evaluator.Evaluate(vae, images, 50, 0, new Generator(5)).Metrics[Metrics.ElboSigmaStar];

        double ElboAt(double sigma)
        {
            vae.SetLogSigma(tensor(Math.Log(sigma)));
            return Evaluator.Evaluate(vae, images, 50, 0, new Generator(5)).Metrics[Metrics.Elbo];
        }
        // Same noise, so the same samples: sigma* = sqrt(MSE of the sampled reconstructions).
        var sampled = Math.Sqrt(ElboMse(vae, images));
        Assert.Equal(star, ElboAt(sampled), 1e-4 * Math.Abs(star));
        Assert.True(ElboAt(0.8 * sampled) < star && ElboAt(1.25 * sampled) < star);
    }

    /// <summary>The MSE per number of reconstructions from z ~ q(z|x), with the evaluator's noise (seed 5, batches of 50).</summary>
    private static double ElboMse(Vae vae, Tensor images)
    {
        using var _ = no_grad();
        using var generator = new Generator(5);
        double total = 0;
        for (long start = 0; start < images.shape[0]; start += 50)
        {
            var x = images.narrow(0, start, 50);
            var (mu, logvar) = vae.Encode(x);
            var eps = randn(mu.shape, generator: generator);
            total += (x - vae.Decode(Vae.Reparameterize(mu, logvar, eps))).square().sum().item<float>();
        }
        return total / images.numel();
    }
}
