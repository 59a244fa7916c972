using Exp.Spec;
using Exp.Spec.Sweep;
using MathNet.Numerics.Distributions;

namespace Exp.Runner.Search;

/// <summary>
/// The density TPE builds from the values one parameter took in a set of trials, as Optuna's
/// univariate Parzen estimator does with its default settings: one truncated normal kernel per
/// observation (log-scaled parameters in log space, whole numbers with a step of 1) plus a prior
/// kernel over the whole range with weight 1; each kernel's width is the larger gap to its
/// neighbours (the range's ends counted, except for the outermost kernels), clipped to
/// [range / min(100, kernels + 1), range] ("magic clip"); older observations weigh less once
/// there are more than 25. Choices get a smoothed histogram instead.
/// </summary>
public sealed class ParzenEstimator
{
    private const double PriorWeight = 1.0;

    private readonly SearchParameter parameter;
    private readonly double[] weights;
    private readonly double[] mus;
    private readonly double[] sigmas;
    private readonly double low;
    private readonly double high;
    private readonly double step;
    /// <summary>Choices only: each kernel's probability of each choice.</summary>
    private readonly double[][] choiceProbabilities = [];

    /// <param name="observations">The parameter's values in the trials, oldest first, as samplers hold them.</param>
    public ParzenEstimator(SearchParameter parameter, IReadOnlyList<double> observations)
    {
        this.parameter = parameter;
        var n = observations.Count;
        weights = [.. ObservationWeights(n), PriorWeight];
        var total = weights.Sum();
        for (var i = 0; i < weights.Length; i++)
            weights[i] /= total;

        if (parameter.Kind == ParameterKind.Choice)
        {
            var choices = parameter.Choices.Length;
            var kernels = n + 1;
            choiceProbabilities = new double[kernels][];
            for (var k = 0; k < kernels; k++)
            {
                var row = Enumerable.Repeat(PriorWeight / kernels, choices).ToArray();
                if (k < n)
                    row[(int)observations[k]] += 1;
                var sum = row.Sum();
                choiceProbabilities[k] = row.Select(p => p / sum).ToArray();
            }
            mus = sigmas = [];
            return;
        }

        (low, high, step) = parameter.Kind switch
        {
            ParameterKind.LogUniform => (Math.Log(parameter.Low), Math.Log(parameter.High), 0.0),
            // A whole-number range is a grid of step 1, its kernels reaching half a step past each end.
            ParameterKind.IntUniform => (parameter.Low, parameter.High, 1.0),
            _ => (parameter.Low, parameter.High, 0.0),
        };
        var observed = observations.Select(Transform).ToArray();
        var priorMu = 0.5 * (low + high);
        var width = high - low + step;
        sigmas = [.. NeighbourWidths(observed, priorMu, width, n), width];
        mus = [.. observed, priorMu];
    }

    /// <summary>Optuna's default_weights: equal up to 25 observations, then a ramp from 1/n up to 1 for all but the newest 25.</summary>
    public static double[] ObservationWeights(int n)
    {
        if (n < 25)
            return Enumerable.Repeat(1.0, n).ToArray();
        var ramp = n - 25;
        var weights = new double[n];
        for (var i = 0; i < ramp; i++)
            weights[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1.0 - 1.0 / n) * i / (ramp - 1);
        for (var i = ramp; i < n; i++)
            weights[i] = 1.0;
        return weights;
    }

    private double[] NeighbourWidths(double[] observed, double priorMu, double width, int n)
    {
        var withPrior = observed.Append(priorMu).ToArray();
        var order = Enumerable.Range(0, withPrior.Length).OrderBy(i => withPrior[i]).ToArray();
        var sorted = new double[withPrior.Length + 2];
        sorted[0] = low - step / 2;
        for (var i = 0; i < order.Length; i++)
            sorted[i + 1] = withPrior[order[i]];
        sorted[^1] = high + step / 2;
        var sortedSigmas = new double[withPrior.Length];
        for (var i = 0; i < sortedSigmas.Length; i++)
            sortedSigmas[i] = Math.Max(sorted[i + 1] - sorted[i], sorted[i + 2] - sorted[i + 1]);
        // The outermost kernels measure to their inner neighbour only, not to the range's ends.
        if (sorted.Length >= 4)
        {
            sortedSigmas[0] = sorted[2] - sorted[1];
            sortedSigmas[^1] = sorted[^2] - sorted[^3];
        }
        var minSigma = width / Math.Min(100.0, 1.0 + n + 1);
        var sigmasInOrder = new double[withPrior.Length];
        for (var i = 0; i < order.Length; i++)
            sigmasInOrder[order[i]] = Math.Clamp(sortedSigmas[i], minSigma, width);
        return sigmasInOrder.Take(n).ToArray();
    }

    private double Transform(double value) => parameter.Kind == ParameterKind.LogUniform ? Math.Log(value) : value;

    /// <summary>A value drawn from the mixture, as samplers hold values.</summary>
    public double Sample(SplitMix random)
    {
        var kernel = PickKernel(random.NextDouble());
        if (parameter.Kind == ParameterKind.Choice)
            return Pick(choiceProbabilities[kernel], random.NextDouble());
        var x = SampleTruncatedNormal(mus[kernel], sigmas[kernel], low - step / 2, high + step / 2, random.NextDouble());
        return parameter.Kind switch
        {
            ParameterKind.LogUniform => Math.Clamp(Math.Exp(x), parameter.Low, parameter.High),
            ParameterKind.IntUniform => Math.Clamp(low + Math.Round(x - low), low, high),
            _ => x,
        };
    }

    /// <summary>The log density (log probability for choices and whole numbers) of a value.</summary>
    public double LogDensity(double value)
    {
        var terms = new double[weights.Length];
        for (var k = 0; k < weights.Length; k++)
        {
            terms[k] = Math.Log(weights[k]) + parameter.Kind switch
            {
                ParameterKind.Choice => Math.Log(choiceProbabilities[k][(int)value]),
                ParameterKind.IntUniform => LogDiscreteTruncatedNormal(value, mus[k], sigmas[k]),
                _ => LogTruncatedNormal(Transform(value), mus[k], sigmas[k]),
            };
        }
        var max = terms.Max();
        return max + Math.Log(terms.Sum(t => Math.Exp(t - max)));
    }

    private int PickKernel(double u) => Pick(weights, u);

    private static int Pick(double[] probabilities, double u)
    {
        var cumulative = 0.0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            cumulative += probabilities[i];
            if (u < cumulative)
                return i;
        }
        return probabilities.Length - 1;
    }

    private double LogTruncatedNormal(double x, double mu, double sigma)
    {
        var z = (x - mu) / sigma;
        var mass = Normal.CDF(0, 1, (high - mu) / sigma) - Normal.CDF(0, 1, (low - mu) / sigma);
        return -0.5 * z * z - 0.5 * Math.Log(2 * Math.PI) - Math.Log(sigma) - Math.Log(mass);
    }

    private double LogDiscreteTruncatedNormal(double x, double mu, double sigma)
    {
        double Cdf(double at) => Normal.CDF(0, 1, (at - mu) / sigma);
        var mass = Cdf(high + step / 2) - Cdf(low - step / 2);
        var cell = Cdf(x + step / 2) - Cdf(x - step / 2);
        return Math.Log(Math.Max(cell, 1e-300)) - Math.Log(mass);
    }

    /// <summary>Inverse-CDF sampling of N(mu, sigma) restricted to [a, b]; kernels sit inside the range, so its mass is never vanishing.</summary>
    private static double SampleTruncatedNormal(double mu, double sigma, double a, double b, double u)
    {
        var lower = Normal.CDF(0, 1, (a - mu) / sigma);
        var upper = Normal.CDF(0, 1, (b - mu) / sigma);
        var p = lower + u * (upper - lower);
        return Math.Clamp(mu + sigma * Normal.InvCDF(0, 1, p), a, b);
    }
}
