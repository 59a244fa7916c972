using Exp.Engine.Models;
using static TorchSharp.torch;

namespace Exp.Engine.Objective;

/// <summary>What one pass over held-out images measured: metrics, and the KL of each latent dimension (nats per image).</summary>
public sealed record HeldOutEvaluation(Dictionary<string, double> Metrics, double[] KlPerDimension);

/// <summary>
/// Held-out metrics of a <see cref="Vae"/>, unweighted whatever the training weights were, so
/// trials compare honestly. Runs in eval mode without gradients; draws its noise from the
/// generator it is given, so evaluating never disturbs the training's random stream. Sums are
/// kept on the model's device and read back once, at the end: no host round trip per batch.
/// </summary>
public static class Evaluator
{
    /// <summary>Burda et al. (2016): a unit is active when Cov_x(E_q[z_u]) exceeds this.</summary>
    public const double ActiveUnitThreshold = 0.01;

    /// <summary>
    /// Latents decoded at once by the importance-weighted estimates, times the decoder's widest layer
    /// (<see cref="Vae.DecoderWidth"/>): bounds their memory. Counting the image's numbers instead let
    /// the end of a main-example trial peak at 1.0 to 1.2 GB of RSS, against about 0.6 GB now. The
    /// spec's memory estimate counts on this bound, so the number lives there.
    /// </summary>
    private const long DecodeBudget = Exp.Spec.MemoryEstimateModule.DecodeBudget;

    /// <summary>The per-epoch metrics (eval/*) on <paramref name="images"/>, with IWAE at k = <paramref name="iwaeSamples"/> (0: none).</summary>
    public static HeldOutEvaluation Evaluate(Vae vae, Tensor images, int batchSize, int iwaeSamples, Generator generator)
    {
        var wasTraining = vae.training;
        vae.eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var device = images.device;
            var latent = vae.LatentDim;
            // [log-likelihood, KL, squared error of sampled z, squared error of decoder(mu), IWAE]
            var totals = zeros(5, ScalarType.Float64, device);
            var klPerDimension = zeros(latent, ScalarType.Float64, device);
            var muSum = zeros(latent, ScalarType.Float64, device);
            var muOuter = zeros([latent, latent], ScalarType.Float64, device);
            var varianceSum = zeros(latent, ScalarType.Float64, device);

            var count = images.shape[0];
            var batch = Math.Max(1, batchSize);
            for (long start = 0; start < count; start += batch)
            {
                using var batchScope = NewDisposeScope();
                var x = images.narrow(0, start, Math.Min(batch, count - start));
                var (mu, logvar) = vae.Encode(x);
                var eps = randn(mu.shape, device: device, generator: generator);
                var mean = vae.Decode(Vae.Reparameterize(mu, logvar, eps));
                var klTerms = Gaussian.KlPerDimension(mu, logvar).to_type(ScalarType.Float64);
                var sums = stack(
                [
                    Gaussian.LogLikelihood(x, mean, vae.LogSigma).to_type(ScalarType.Float64).sum(),
                    klTerms.sum(),
                    (x - mean).square().to_type(ScalarType.Float64).sum(),
                    (x - vae.Decode(mu)).square().to_type(ScalarType.Float64).sum(),
                    iwaeSamples > 0 ? ImportanceWeighted(vae, x, mu, logvar, iwaeSamples, generator).sum() : zeros(1, ScalarType.Float64, device).sum(),
                ]);
                totals.add_(sums);
                klPerDimension.add_(klTerms.sum([0]));
                var mu64 = mu.to_type(ScalarType.Float64);
                muSum.add_(mu64.sum([0]));
                muOuter.add_(mu64.t().matmul(mu64));
                varianceSum.add_(logvar.exp().to_type(ScalarType.Float64).sum([0]));
            }

            // The moment-matched Gaussian of the aggregate posterior q(z) = E_x q(z|x): mean m,
            // covariance Cov_x(mu) + E_x diag(var); its KL to N(0, I) in closed form.
            var m = muSum / count;
            var muCovariance = muOuter / count - m.outer(m);
            var covariance = muCovariance + diag(varianceSum / count);
            var aggregateKl = 0.5 * (covariance.trace() + m.dot(m) - latent - linalg.slogdet(covariance).Item2);
            var active = (muCovariance.diagonal() > ActiveUnitThreshold).sum().to_type(ScalarType.Float64);
            // One read from the device for the whole evaluation.
            var host = cat([totals, aggregateKl.reshape(1), active.reshape(1), klPerDimension / count, vae.LogSigma.to_type(ScalarType.Float64).reshape(1)])
                .cpu().data<double>().ToArray();

            var dimensions = images.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            var (logLikelihood, kl, sampledError, meanError, iwae) = (host[0] / count, host[1] / count, host[2] / count, host[3] / count, host[4] / count);
            var elbo = logLikelihood - kl;
            var metrics = new Dictionary<string, double>
            {
                [Metrics.ReconLogLikelihood] = logLikelihood,
                [Metrics.Kl] = kl,
                [Metrics.Elbo] = elbo,
                [Metrics.BitsPerDim] = BitsPerDim(elbo, dimensions),
                [Metrics.Mse] = meanError / dimensions,
                [Metrics.Sigma] = Math.Exp(host[^1]),
                [Metrics.ElboSigmaStar] = Gaussian.LogLikelihoodAtOptimalSigma(sampledError / dimensions, dimensions, Vae.MinSigma) - kl,
                [Metrics.ActiveUnits] = host[6],
                [Metrics.AggregateKl] = host[5],
            };
            if (iwaeSamples > 0)
                metrics[Metrics.Iwae] = iwae;
            return new HeldOutEvaluation(metrics, host[7..^1]);
        }
        finally
        {
            vae.train(wasTraining);
        }
    }

    /// <summary>The test split's metrics (test/*), evaluated once at the end, with IWAE at k = <paramref name="iwaeSamples"/> (0: none).</summary>
    public static Dictionary<string, double> Test(Vae vae, Tensor images, int batchSize, int iwaeSamples, Generator generator)
    {
        var evaluation = Evaluate(vae, images, batchSize, iwaeSamples, generator).Metrics;
        var test = new Dictionary<string, double>
        {
            [Metrics.TestElbo] = evaluation[Metrics.Elbo],
            [Metrics.TestBitsPerDim] = evaluation[Metrics.BitsPerDim],
            [Metrics.TestMse] = evaluation[Metrics.Mse],
        };
        if (iwaeSamples > 0)
            test[Metrics.TestIwae] = evaluation[Metrics.Iwae];
        return test;
    }

    public static double BitsPerDim(double logLikelihood, long dimensions) => -logLikelihood / (dimensions * Math.Log(2));

    /// <summary>
    /// log (1/k) sum_i p(x|z_i) p(z_i) / q(z_i|x) with z_i ~ q(z|x), per image: the IWAE bound,
    /// computed with logsumexp because the weights under- and overflow as plain numbers.
    /// </summary>
    public static Tensor ImportanceWeighted(Vae vae, Tensor x, Tensor mu, Tensor logvar, int k, Generator generator) =>
        Estimates(vae, x, mu, logvar, [k], generator)[0];

    /// <summary>log (1/k) sum_i p(x|z_i) with z_i ~ p(z): the same estimate of log p(x), proposing from the prior.</summary>
    public static Tensor PriorWeighted(Vae vae, Tensor x, int k, Generator generator) =>
        Estimates(vae, x, null, null, [k], generator)[0];

    /// <summary>
    /// Importance-sampling estimates of log p(x) per image (float64), one for each k of the
    /// ascending <paramref name="ks"/>, each from the first k of one stream of samples: from
    /// q(z|x) = N(mu, diag(exp(logvar))), or from the prior when <paramref name="mu"/> is null.
    /// Samples are decoded in chunks and folded into a running logsumexp, so memory stays that
    /// of one chunk whatever k is. Runs in eval mode (see <see cref="Vae.DecoderWidth"/>).
    /// </summary>
    public static Tensor[] Estimates(Vae vae, Tensor x, Tensor? mu, Tensor? logvar, int[] ks, Generator generator)
    {
        var images = x.shape[0];
        var perChunk = Math.Max(1, DecodeBudget / (images * vae.DecoderWidth));
        var estimates = new Tensor[ks.Length];
        var running = full(images, double.NegativeInfinity, ScalarType.Float64, x.device);
        long done = 0;
        for (var i = 0; i < ks.Length; i++)
        {
            while (done < ks[i])
            {
                using var scope = NewDisposeScope();
                var chunk = Math.Min(perChunk, ks[i] - done);
                var logWeights = LogWeights(vae, x, mu, logvar, chunk, generator);
                var folded = stack([running, logWeights.logsumexp(0)]).logsumexp(0);
                running.Dispose();
                running = folded.MoveToOuterDisposeScope();
                done += chunk;
            }
            estimates[i] = running - Math.Log(ks[i]);
        }
        running.Dispose();
        return estimates;
    }

    /// <summary>log p(x|z) + log p(z) - log (proposal density of z), (samples, images), float64.</summary>
    private static Tensor LogWeights(Vae vae, Tensor x, Tensor? mu, Tensor? logvar, long samples, Generator generator)
    {
        var images = x.shape[0];
        var repeated = x.repeat(samples, 1, 1, 1);
        Tensor logWeights;
        if (mu is null || logvar is null)
        {
            var z = randn([samples * images, vae.LatentDim], device: x.device, generator: generator);
            logWeights = Gaussian.LogLikelihood(repeated, vae.Decode(z), vae.LogSigma);
        }
        else
        {
            var eps = randn([samples * images, vae.LatentDim], device: x.device, generator: generator);
            var (muRepeated, logvarRepeated) = (mu.repeat(samples, 1), logvar.repeat(samples, 1));
            var z = Vae.Reparameterize(muRepeated, logvarRepeated, eps);
            logWeights = Gaussian.LogLikelihood(repeated, vae.Decode(z), vae.LogSigma)
                + Gaussian.LogStandardNormal(z) - Gaussian.LogPosterior(eps, logvarRepeated);
        }
        return logWeights.to_type(ScalarType.Float64).view(samples, images);
    }
}
