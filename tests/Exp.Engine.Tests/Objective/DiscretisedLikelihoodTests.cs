using Exp.Engine.Data;
using Exp.Engine.Models;
using Exp.Engine.Objective;
using Exp.Spec;
using static TorchSharp.torch;

namespace Exp.Engine.Tests.Objective;

public class DiscretisedLikelihoodTests
{
    /// <summary>
    /// log of the N(mean, sigma^2) mass on [low, high] (either end infinite), by Simpson's rule in
    /// plain doubles: the density is factored out at the point of the interval nearest the mean,
    /// so the integrand is at most 1 and the far tails neither under- nor overflow.
    /// </summary>
    private static double DirectLogMass(double low, double high, double mean, double sigma)
    {
        var (a, b) = ((low - mean) / sigma, (high - mean) / sigma);
        var anchor = Math.Clamp(0, a, b);
        (a, b) = (Math.Max(a, anchor - 40), Math.Min(b, anchor + 40));
        const int steps = 20000;
        var h = (b - a) / steps;
        double sum = 0;
        for (var i = 0; i <= steps; i++)
        {
            var t = a + i * h;
            var weight = i == 0 || i == steps ? 1 : i % 2 == 1 ? 4 : 2;
            sum += weight * Math.Exp(-0.5 * (t * t - anchor * anchor));
        }
        return -0.5 * anchor * anchor - 0.5 * Math.Log(2 * Math.PI) + Math.Log(sum * h / 3);
    }

    private static double DirectLogProbability(int level, double mean, double sigma) =>
        DirectLogMass(level == 0 ? double.NegativeInfinity : (level - 0.5) / 255, level == 255 ? double.PositiveInfinity : (level + 0.5) / 255, mean, sigma);

    private static double[] LogProbabilities(int[] levels, double[] means, double sigma)
    {
        using var x = tensor(levels.Select(l => l / 255f).ToArray()).view(-1, 1);
        using var mean = tensor(means.Select(m => (float)m).ToArray()).view(-1, 1);
        using var logSigma = tensor(Math.Log(sigma));
        using var result = Gaussian.DiscretisedLogLikelihood(x, mean, logSigma);
        return result.data<double>().ToArray();
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.001)]
    [InlineData(1.568)]
    public void Each_pixel_probability_is_the_gaussian_mass_on_its_bin_even_far_in_the_tails(double sigma)
    {
        // Means inside and outside [0, 1]; levels at both open edges and inside; up to 1,000 sigmas away.
        var cases = new (int Level, double Mean)[] { (0, 0.5), (0, 0.0), (0, 1.0), (255, 0.3), (255, 1.2), (128, 0.5), (1, 0.9), (254, 0.02), (17, -0.4), (200, 0.78) };
        var actual = LogProbabilities(cases.Select(c => c.Level).ToArray(), cases.Select(c => (double)(float)c.Mean).ToArray(), sigma);
        for (var i = 0; i < cases.Length; i++)
        {
            var expected = DirectLogProbability(cases[i].Level, (float)cases[i].Mean, sigma);
            Assert.True(Math.Abs(actual[i] - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected)),
                $"level {cases[i].Level}, mean {cases[i].Mean}, sigma {sigma}: {actual[i]} vs direct {expected}");
        }
    }

    [Fact]
    public void A_chunk_of_samples_broadcast_against_its_images_gives_each_sample_its_own_likelihood()
    {
        // As the importance-weighted estimates call it: means (samples, images, ...) against images (images, ...).
        var random = new Random(5);
        const int samples = 3, images = 2, pixels = 6;
        var levels = Enumerable.Range(0, images * pixels).Select(i => i % 5 == 0 ? 0 : i % 7 == 0 ? 255 : random.Next(256)).ToArray();
        var means = Enumerable.Range(0, samples * images * pixels).Select(_ => (double)(float)(random.NextDouble() * 1.4 - 0.2)).ToArray();
        const double sigma = 0.05;
        using var x = tensor(levels.Select(l => l / 255f).ToArray()).view(images, 1, 2, 3);
        using var mean = tensor(means.Select(m => (float)m).ToArray()).view(samples, images, 1, 2, 3);
        using var logSigma = tensor(Math.Log(sigma));

        using var result = Gaussian.DiscretisedLogLikelihood(x, mean, logSigma);

        Assert.Equal([samples, images], result.shape);
        var actual = result.data<double>().ToArray();
        for (var s = 0; s < samples; s++)
        {
            for (var i = 0; i < images; i++)
            {
                var expected = Enumerable.Range(0, pixels).Sum(p => DirectLogProbability(levels[i * pixels + p], means[(s * images + i) * pixels + p], sigma));
                Assert.True(Math.Abs(actual[s * images + i] - expected) <= 1e-6 * Math.Abs(expected), $"sample {s}, image {i}: {actual[s * images + i]} vs direct {expected}");
            }
        }
    }

    [Fact]
    public void An_image_with_a_pixel_beyond_erfc_range_is_exact_in_every_pixel_and_leaves_the_others_alone()
    {
        // Image 0's last pixel is 50 sigmas from its mean, where both erfc underflow; image 1 has none.
        int[] levels = [0, 128, 30, 255, 0, 128, 30, 200];
        double[] means = [0.02, 0.5, 0.1, 0.5, 0.02, 0.5, 0.1, 0.8];
        const double sigma = 0.01;
        using var x = tensor(levels.Select(l => l / 255f).ToArray()).view(2, 1, 2, 2);
        using var mean = tensor(means.Select(m => (float)m).ToArray()).view(2, 1, 2, 2);
        using var logSigma = tensor(Math.Log(sigma));

        var actual = Gaussian.DiscretisedLogLikelihood(x, mean, logSigma).data<double>().ToArray();

        for (var i = 0; i < 2; i++)
        {
            var expected = Enumerable.Range(4 * i, 4).Sum(p => DirectLogProbability(levels[p], (float)means[p], sigma));
            Assert.True(Math.Abs(actual[i] - expected) <= 1e-6 * Math.Abs(expected), $"image {i}: {actual[i]} vs direct {expected}");
        }
        Assert.True(actual[0] < -1000, $"the far pixel costs over a thousand nats: {actual[0]}");
    }

    [Theory]
    [InlineData(0.3, 0.1)]
    [InlineData(-2.0, 0.05)]
    [InlineData(0.5, 0.0005)]
    [InlineData(0.7, 40.0)]
    public void The_256_levels_are_a_distribution_whose_log_probabilities_are_never_positive(double mean, double sigma)
    {
        var levels = Enumerable.Range(0, 256).ToArray();
        var logs = LogProbabilities(levels, Enumerable.Repeat(mean, 256).ToArray(), sigma);

        Assert.All(logs, l => Assert.True(l <= 0, $"log P = {l}"));
        Assert.Equal(1.0, logs.Sum(Math.Exp), 1e-9);
    }

    [Fact]
    public void Test_bits_per_dim_is_the_exact_code_length_when_the_decoder_ignores_z()
    {
        // Encoder = the prior and a decoder whose mean is the same image for every z: p(x|z) = P(x),
        // q = p, so every importance weight is P(x) and the IWAE bound is log P(x) exactly. The
        // model codes each pixel with the bins of N(0.5, 0.1^2), computed directly per pixel.
        using var vae = VaeFactory.Create(TestConfigs.SmallConv(), TestConfigs.Loss(), 1, 28);
        using (no_grad())
        {
            foreach (var parameter in vae.Decoder.parameters().Concat(vae.Mu.parameters()).Concat(vae.LogVar.parameters()))
                parameter.zero_();
        }
        using var data = Datasets.Load(TestConfigs.FashionMnist(300, 20), seed: 1);

        var metrics = Evaluator.Test(vae, data.Test, 8, 5, new Generator(3));

        var levels = data.Test.mul(255).round().to_type(ScalarType.Int32).data<int>().ToArray();
        var logMass = new double[256];
        for (var level = 0; level < 256; level++)
            logMass[level] = DirectLogProbability(level, 0.5, 0.1);
        var expected = -levels.Sum(level => logMass[level]) / (20 * 784 * Math.Log(2));
        Assert.Equal(expected, metrics[Metrics.TestBitsPerDim], 1e-6 * expected);
        Assert.True(expected > 8, $"a constant grey image codes Fashion-MNIST worse than uniform: {expected}");
    }
}
