using Exp.Engine.Models;
using Exp.Spec;
using static TorchSharp.torch;

namespace Exp.Engine.Objective;

/// <summary>
/// Held-out metrics of a <see cref="Vae"/>, unweighted whatever the training weights were, so
/// trials compare honestly. Runs in eval mode without gradients; draws its noise from the
/// generator it is given, so evaluating never disturbs the training's random stream.
/// </summary>
public static class Evaluator
{
    public static Dictionary<string, double> Evaluate(Vae vae, Tensor images, EvalConfig config, Generator generator)
    {
        var wasTraining = vae.training;
        vae.eval();
        try
        {
            using var _ = no_grad();
            double logLikelihood = 0, kl = 0, squaredError = 0, iwae = 0, iwaePrior = 0;
            var count = images.shape[0];
            var batchSize = Math.Max(1, config.BatchSize);
            for (long start = 0; start < count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var x = images.narrow(0, start, Math.Min(batchSize, count - start));
                var (mu, logvar) = vae.Encode(x);
                var eps = randn(mu.shape, device: mu.device, generator: generator);
                var mean = vae.Decode(Vae.Reparameterize(mu, logvar, eps));
                logLikelihood += Sum(Gaussian.LogLikelihood(x, mean, vae.LogSigma));
                kl += Sum(Gaussian.KlToStandardNormal(mu, logvar));
                squaredError += Sum((x - vae.Decode(mu)).square());
                if (config.IwaeSamples > 0)
                {
                    iwae += Sum(ImportanceWeighted(vae, x, mu, logvar, config.IwaeSamples, generator));
                    iwaePrior += Sum(PriorWeighted(vae, x, config.IwaeSamples, generator));
                }
            }

            var dimensions = images.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            var elbo = (logLikelihood - kl) / count;
            var metrics = new Dictionary<string, double>
            {
                [Metrics.ReconLogLikelihood] = logLikelihood / count,
                [Metrics.Kl] = kl / count,
                [Metrics.Elbo] = elbo,
                [Metrics.BitsPerDim] = -elbo / (dimensions * Math.Log(2)),
                [Metrics.Mse] = squaredError / (count * dimensions),
                [Metrics.Sigma] = Math.Exp(vae.LogSigma.item<float>()),
            };
            if (config.IwaeSamples > 0)
            {
                metrics[Metrics.Iwae] = iwae / count;
                metrics[Metrics.IwaePrior] = iwaePrior / count;
            }
            return metrics;
        }
        finally
        {
            vae.train(wasTraining);
        }
    }

    /// <summary>
    /// log (1/k) sum_i p(x|z_i) p(z_i) / q(z_i|x) with z_i ~ q(z|x), per image: the IWAE bound,
    /// computed with logsumexp because the weights under- and overflow as plain numbers.
    /// </summary>
    public static Tensor ImportanceWeighted(Vae vae, Tensor x, Tensor mu, Tensor logvar, int k, Generator generator)
    {
        var logWeights = new Tensor[k];
        for (var i = 0; i < k; i++)
        {
            // Free each sample's decoder activations at once: memory stays that of one sample.
            using var scope = NewDisposeScope();
            var eps = randn(mu.shape, device: mu.device, generator: generator);
            var z = Vae.Reparameterize(mu, logvar, eps);
            logWeights[i] = (Gaussian.LogLikelihood(x, vae.Decode(z), vae.LogSigma)
                + Gaussian.LogStandardNormal(z) - Gaussian.LogPosterior(eps, logvar)).MoveToOuterDisposeScope();
        }
        return stack(logWeights).to_type(ScalarType.Float64).logsumexp(0) - Math.Log(k);
    }

    /// <summary>log (1/k) sum_i p(x|z_i) with z_i ~ p(z): the same estimate of log p(x), proposing from the prior.</summary>
    public static Tensor PriorWeighted(Vae vae, Tensor x, int k, Generator generator)
    {
        var logWeights = new Tensor[k];
        for (var i = 0; i < k; i++)
        {
            using var scope = NewDisposeScope();
            var z = randn([x.shape[0], vae.LatentDim], device: x.device, generator: generator);
            logWeights[i] = Gaussian.LogLikelihood(x, vae.Decode(z), vae.LogSigma).MoveToOuterDisposeScope();
        }
        return stack(logWeights).to_type(ScalarType.Float64).logsumexp(0) - Math.Log(k);
    }

    private static double Sum(Tensor t) => t.to_type(ScalarType.Float64).sum().item<double>();
}
