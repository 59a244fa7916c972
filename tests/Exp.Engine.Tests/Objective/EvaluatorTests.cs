using Exp.Engine.Data;
using Exp.Engine.Models;
using Exp.Engine.Objective;
using Exp.Spec;
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
    public void The_prior_estimate_is_the_float64_log_mean_likelihood_of_draws_that_every_image_shares()
    {
        // K_l = log (1/k) sum_i p(x|z_i), z_i ~ N(0, I): one draw decodes once and serves every image.
        manual_seed(4);
        using var vae = VaeFactory.Create(TestConfigs.SmallConv(), TestConfigs.Loss(), 1, 28);
        vae.eval();
        using var images = HeldOut(5);
        const int k = 7;

        double[] actual;
        float[] decoded;
        using (inference_mode())
        {
            actual = Evaluator.PriorWeighted(vae, images, k, new Generator(9)).data<double>().ToArray();
            // The same k draws, in the order the estimate takes them from the generator.
            decoded = vae.Decode(randn([k, vae.LatentDim], generator: new Generator(9))).data<float>().ToArray();
        }

        var pixels = images.data<float>().ToArray();
        const int d = 784;
        const double sigma = 0.1;
        for (var image = 0; image < 5; image++)
        {
            var logLikelihoods = Enumerable.Range(0, k).Select(draw =>
            {
                double squared = 0;
                for (var p = 0; p < d; p++)
                {
                    var difference = (double)pixels[image * d + p] - decoded[draw * d + p];
                    squared += difference * difference;
                }
                return -squared / (2 * sigma * sigma) - d * Math.Log(sigma) - 0.5 * d * Math.Log(2 * Math.PI);
            }).ToArray();
            var max = logLikelihoods.Max();
            var expected = max + Math.Log(logLikelihoods.Sum(l => Math.Exp(l - max)) / k);
            Assert.Equal(expected, actual[image], 1e-6 * Math.Abs(expected));
        }
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
    public void The_aggregate_kl_of_identical_posteriors_is_their_own_kl()
    {
        // Every image has the same posterior N(m, diag(v)): q(z) is that Gaussian, with a closed-form KL.
        using var mu = tensor(new[] { 1.0, -0.5, 0.2 }).expand(2000, 3).contiguous();
        using var logvar = tensor(new[] { -1.0, 0.5, -2.0 }).expand(2000, 3).contiguous();
        using var z = mu + (0.5 * logvar).exp() * randn([2000, 3], ScalarType.Float64, generator: new Generator(4));

        var estimate = Evaluator.AggregateKl(mu, logvar, z).item<double>();

        var expected = Gaussian.KlToStandardNormal(mu.narrow(0, 0, 1), logvar.narrow(0, 0, 1)).item<double>();
        Assert.Equal(expected, estimate, 0.15);
    }

    [Fact]
    public void The_aggregate_kl_of_separate_narrow_posteriors_is_the_mean_kl_minus_log_n()
    {
        // N posteriors that do not overlap: the code names its image, I(x; z) = log N, and
        // KL(q(z) || p) = mean KL - log N exactly: the bound, reached. The moment-matched Gaussian
        // (the old estimator) fell far below it here.
        const int count = 300;
        var generator = new Generator(5);
        using var mu = 3 * randn([count, 4], ScalarType.Float64, generator: generator);
        using var logvar = full([count, 4], -14.0, ScalarType.Float64);
        using var z = mu + (0.5 * logvar).exp() * randn([count, 4], ScalarType.Float64, generator: generator);

        var estimate = Evaluator.AggregateKl(mu, logvar, z).item<double>();

        var bound = Gaussian.KlToStandardNormal(mu, logvar).mean().item<double>() - Math.Log(count);
        Assert.Equal(bound, estimate, 0.5);
    }

    [Fact]
    public void The_aggregate_kl_respects_its_bound_on_real_images()
    {
        manual_seed(3);
        using var vae = VaeFactory.Create(TestConfigs.SmallConv(), TestConfigs.Loss(), 1, 28);
        using (no_grad())
            vae.Mu.weight!.mul_(30);
        using var images = HeldOut(400);

        var metrics = Evaluator.Evaluate(vae, images, 64, 0, new Generator(2)).Metrics;

        var bound = metrics[Metrics.Kl] - Math.Log(400);
        Assert.True(bound > 1, $"a spread-out encoder makes the bound bite: {bound}");
        Assert.True(metrics[Metrics.AggregateKl] >= bound, $"aggregate KL {metrics[Metrics.AggregateKl]:F2} vs mean KL - log N {bound:F2}");
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
