using Exp.Engine.Models;
using Exp.Engine.Objective;
using static TorchSharp.torch;

namespace Exp.Engine.Tests.Objective;

public class GaussianTests
{
    [Fact]
    public void Kl_in_closed_form_matches_a_monte_carlo_estimate()
    {
        manual_seed(3);
        var mu = tensor(new[] { 0.5, -1.2, 0.0, 2.0 }).view(1, 4);
        var logvar = tensor(new[] { -1.0, 0.7, 0.0, -2.5 }).view(1, 4);
        const int samples = 400_000;

        var eps = randn(samples, 4, dtype: ScalarType.Float64);
        var z = Vae.Reparameterize(mu, logvar, eps);
        var monteCarlo = (Gaussian.LogPosterior(eps, logvar.expand(samples, 4)) - Gaussian.LogStandardNormal(z)).mean().item<double>();
        var closedForm = Gaussian.KlToStandardNormal(mu, logvar).item<double>();

        // 0.5 * sum(exp(lv) + mu^2 - 1 - lv), written out.
        var byHand = 0.5 * new[] { (0.5, -1.0), (-1.2, 0.7), (0.0, 0.0), (2.0, -2.5) }.Sum(p => Math.Exp(p.Item2) + p.Item1 * p.Item1 - 1 - p.Item2);
        Assert.Equal(byHand, closedForm, 12);
        Assert.Equal(closedForm, monteCarlo, 0.02);
    }

    [Fact]
    public void Reparameterized_samples_have_the_variance_exp_logvar()
    {
        manual_seed(4);
        var mu = full(100_000, 1, 1.5, dtype: ScalarType.Float64);
        var logvar = full(100_000, 1, Math.Log(0.25), dtype: ScalarType.Float64);

        var z = Vae.Reparameterize(mu, logvar, randn(100_000, 1, dtype: ScalarType.Float64));

        Assert.Equal(1.5, z.mean().item<double>(), 0.01);
        Assert.Equal(0.25, z.var().item<double>(), 0.005);
    }

    [Fact]
    public void Log_likelihood_matches_a_direct_computation()
    {
        manual_seed(5);
        var x = rand(3, 2, 4, 5, dtype: ScalarType.Float64);
        var mean = rand(3, 2, 4, 5, dtype: ScalarType.Float64);
        var sigma = 0.3;

        var actual = Gaussian.LogLikelihood(x, mean, tensor(Math.Log(sigma), ScalarType.Float64)).data<double>().ToArray();

        var xs = x.data<double>().ToArray();
        var ms = mean.data<double>().ToArray();
        for (var n = 0; n < 3; n++)
        {
            var expected = 0.0;
            for (var i = n * 40; i < (n + 1) * 40; i++)
                expected += -Math.Pow(xs[i] - ms[i], 2) / (2 * sigma * sigma) - Math.Log(sigma) - 0.5 * Math.Log(2 * Math.PI);
            Assert.Equal(expected, actual[n], 10);
        }
    }

    [Fact]
    public void Log_posterior_from_eps_is_the_normal_density_of_z()
    {
        var mu = tensor(new[] { 0.3, -0.7 }).view(1, 2);
        var logvar = tensor(new[] { -0.4, 1.1 }).view(1, 2);
        var eps = tensor(new[] { 1.2, -0.5 }).view(1, 2);
        var z = Vae.Reparameterize(mu, logvar, eps).data<double>().ToArray();

        var expected = 0.0;
        foreach (var (m, lv, zi) in new[] { (0.3, -0.4, z[0]), (-0.7, 1.1, z[1]) })
            expected += -Math.Pow(zi - m, 2) / (2 * Math.Exp(lv)) - 0.5 * lv - 0.5 * Math.Log(2 * Math.PI);

        Assert.Equal(expected, Gaussian.LogPosterior(eps, logvar).item<double>(), 12);
    }
}
