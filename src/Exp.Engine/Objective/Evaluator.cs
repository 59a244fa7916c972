using Exp.Engine.Models;
using Exp.Spec;
using static TorchSharp.torch;

namespace Exp.Engine.Objective;

/// <summary>What one pass over held-out images measured.</summary>
/// <param name="Metrics">The eval/* metrics.</param>
/// <param name="KlPerDimension">The KL of each latent dimension, nats per image.</param>
/// <param name="DiscretisedElbo">The ELBO of the 8-bit images under the discretised decoder (<see cref="Gaussian.DiscretisedLogLikelihood"/>), nats per image.</param>
/// <param name="DiscretisedIwae">The IWAE bound under the discretised decoder, from the same samples as eval/iwae; null without IWAE.</param>
public sealed record HeldOutEvaluation(Dictionary<string, double> Metrics, double[] KlPerDimension, double DiscretisedElbo, double? DiscretisedIwae);

/// <summary>
/// Held-out metrics of a <see cref="Vae"/>, unweighted whatever the training weights were, so
/// trials compare honestly. Runs in eval mode and inference mode (no autograd records); draws its
/// noise from the generator it is given, so evaluating never disturbs the training's random
/// stream. Sums are kept on the model's device and read back once, at the end: no host round trip
/// per batch.
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

    /// <summary>Rows of sampled latents scored against every posterior at once by the aggregate KL: a (rows, N) float64 matrix.</summary>
    private const long AggregateRows = 512;

    /// <summary>The per-epoch metrics (eval/*) on <paramref name="images"/>, with IWAE at k = <paramref name="iwaeSamples"/> (0: none).</summary>
    public static HeldOutEvaluation Evaluate(Vae vae, Tensor images, int batchSize, int iwaeSamples, Generator generator)
    {
        var wasTraining = vae.training;
        vae.eval();
        try
        {
            using var _ = inference_mode();
            using var scope = NewDisposeScope();
            var device = images.device;
            // [log-likelihood, discretised log-likelihood, KL, squared error of sampled z, squared error of decoder(mu), IWAE, discretised IWAE]
            var totals = zeros(7, ScalarType.Float64, device);
            var klPerDimension = zeros(vae.LatentDim, ScalarType.Float64, device);
            var (mus, logvars, codes) = (new List<Tensor>(), new List<Tensor>(), new List<Tensor>());

            var count = images.shape[0];
            var batch = Math.Max(1, batchSize);
            for (long start = 0; start < count; start += batch)
            {
                using var batchScope = NewDisposeScope();
                var x = images.narrow(0, start, Math.Min(batch, count - start));
                var (mu, logvar) = vae.Encode(x);
                var eps = randn(mu.shape, device: device, generator: generator);
                var z = Vae.Reparameterize(mu, logvar, eps);
                var mean = vae.Decode(z);
                var klTerms = Gaussian.KlPerDimension(mu, logvar).to_type(ScalarType.Float64);
                var (iwae, discretisedIwae) = iwaeSamples > 0
                    ? ImportanceWeightedBoth(vae, x, mu, logvar, iwaeSamples, generator)
                    : (zeros(1, ScalarType.Float64, device), zeros(1, ScalarType.Float64, device));
                totals.add_(stack(
                [
                    Gaussian.LogLikelihood(x, mean, vae.LogSigma).to_type(ScalarType.Float64).sum(),
                    Gaussian.DiscretisedLogLikelihood(x, mean, vae.LogSigma).sum(),
                    klTerms.sum(),
                    (x - mean).square().to_type(ScalarType.Float64).sum(),
                    (x - vae.Decode(mu)).square().to_type(ScalarType.Float64).sum(),
                    iwae.sum(),
                    discretisedIwae.sum(),
                ]));
                klPerDimension.add_(klTerms.sum([0]));
                foreach (var (list, value) in new[] { (mus, mu), (logvars, logvar), (codes, z) })
                    list.Add(value.to_type(ScalarType.Float64).MoveToOuterDisposeScope());
            }

            var allMu = cat(mus);
            var aggregateKl = AggregateKl(allMu, cat(logvars), cat(codes));
            var active = (allMu.var(0, unbiased: false) > ActiveUnitThreshold).sum().to_type(ScalarType.Float64);
            // One read from the device for the whole evaluation.
            var host = cat([totals, aggregateKl.reshape(1), active.reshape(1), klPerDimension / count, vae.LogSigma.to_type(ScalarType.Float64).reshape(1)])
                .cpu().data<double>().ToArray();

            var dimensions = images.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            var perImage = host[..7].Select(total => total / count).ToArray();
            var (logLikelihood, discretisedLogLikelihood, kl, sampledError, meanError) = (perImage[0], perImage[1], perImage[2], perImage[3], perImage[4]);
            var elbo = logLikelihood - kl;
            var metrics = new Dictionary<string, double>
            {
                [Metrics.ReconLogLikelihood] = logLikelihood,
                [Metrics.Kl] = kl,
                [Metrics.Elbo] = elbo,
                [Metrics.BitsPerDim] = BitsPerDim(discretisedLogLikelihood - kl, dimensions),
                [Metrics.DensityNatsPerDim] = -elbo / dimensions,
                [Metrics.Mse] = meanError / dimensions,
                [Metrics.Sigma] = Math.Exp(host[^1]),
                [Metrics.ElboSigmaStar] = Gaussian.LogLikelihoodAtOptimalSigma(sampledError / dimensions, dimensions, Vae.MinSigma) - kl,
                [Metrics.ActiveUnits] = host[8],
                [Metrics.AggregateKl] = host[7],
            };
            if (iwaeSamples > 0)
                metrics[Metrics.Iwae] = perImage[5];
            return new HeldOutEvaluation(metrics, host[9..^1], discretisedLogLikelihood - kl, iwaeSamples > 0 ? perImage[6] : null);
        }
        finally
        {
            vae.train(wasTraining);
        }
    }

    /// <summary>
    /// The test split's metrics (test/*), evaluated once at the end, with IWAE at k = <paramref name="iwaeSamples"/> (0: none).
    /// test/bits_per_dim is the discretised decoder's code length from the tightest bound measured: the IWAE when there is one, else the ELBO.
    /// </summary>
    public static Dictionary<string, double> Test(Vae vae, Tensor images, int batchSize, int iwaeSamples, Generator generator)
    {
        var evaluation = Evaluate(vae, images, batchSize, iwaeSamples, generator);
        var metrics = evaluation.Metrics;
        var dimensions = images.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        var bound = iwaeSamples > 0 ? metrics[Metrics.Iwae] : metrics[Metrics.Elbo];
        var test = new Dictionary<string, double>
        {
            [Metrics.TestElbo] = metrics[Metrics.Elbo],
            [Metrics.TestBitsPerDim] = BitsPerDim(evaluation.DiscretisedIwae ?? evaluation.DiscretisedElbo, dimensions),
            [Metrics.TestDensityNatsPerDim] = -bound / dimensions,
            [Metrics.TestMse] = metrics[Metrics.Mse],
        };
        if (iwaeSamples > 0)
            test[Metrics.TestIwae] = metrics[Metrics.Iwae];
        return test;
    }

    /// <summary>A log-probability of a discrete image (nats) as a code length: bits per dimension.</summary>
    public static double BitsPerDim(double logProbability, long dimensions) => -logProbability / (dimensions * Math.Log(2));

    /// <summary>
    /// KL(q(z) || N(0, I)) of the aggregate posterior of the evaluated images, q(z) = (1/N) sum_n q(z|x_n),
    /// estimated by sampling: E_q(z)[log q(z) - log p(z)] with one z_n ~ q(z|x_n) per image (a
    /// stratified sample of the mixture), and log q(z_n) the exact log-density of the mixture of all N
    /// posteriors. Unbiased for the KL of that N-component mixture, which is at least the mean KL
    /// minus log N (the mutual information of image index and code is at most log N); with few
    /// images it overstates the KL of the population's aggregate posterior.
    /// </summary>
    public static Tensor AggregateKl(Tensor mu, Tensor logvar, Tensor z)
    {
        using var scope = NewDisposeScope();
        var (count, latent) = (mu.shape[0], mu.shape[1]);
        // sum_u (z_u - mu_u)^2 / var_u = z^2 . (1/var) - 2 z . (mu/var) + sum_u mu_u^2 / var_u, as matrix products over all posteriors.
        var precision = (-logvar).exp();
        var constant = -0.5 * ((mu.square() * precision).sum(1) + logvar.sum(1) + latent * Gaussian.Log2Pi);
        var logMixture = zeros(count, ScalarType.Float64, mu.device);
        for (long start = 0; start < count; start += AggregateRows)
        {
            using var chunkScope = NewDisposeScope();
            var rows = z.narrow(0, start, Math.Min(AggregateRows, count - start));
            var logDensities = -0.5 * rows.square().matmul(precision.t()) + rows.matmul((mu * precision).t()) + constant;
            logMixture.narrow(0, start, rows.shape[0]).copy_(logDensities.logsumexp(1) - Math.Log(count));
        }
        return (logMixture - Gaussian.LogStandardNormal(z)).mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// log (1/k) sum_i p(x|z_i) p(z_i) / q(z_i|x) with z_i ~ q(z|x), per image: the IWAE bound,
    /// computed with logsumexp because the weights under- and overflow as plain numbers.
    /// </summary>
    public static Tensor ImportanceWeighted(Vae vae, Tensor x, Tensor mu, Tensor logvar, int k, Generator generator) =>
        Estimates(vae, x, mu, logvar, [k], generator)[0];

    /// <summary>log (1/k) sum_i p(x|z_i) with z_i ~ p(z): the same estimate of log p(x), proposing from the prior.</summary>
    public static Tensor PriorWeighted(Vae vae, Tensor x, int k, Generator generator) =>
        Estimates(vae, x, null, null, [k], generator)[0];

    /// <summary>The IWAE bound per image of the density and of the discretised decoder, from the same k samples of q(z|x).</summary>
    public static (Tensor Density, Tensor Discretised) ImportanceWeightedBoth(Vae vae, Tensor x, Tensor mu, Tensor logvar, int k, Generator generator)
    {
        var images = x.shape[0];
        var density = full(images, double.NegativeInfinity, ScalarType.Float64, x.device);
        var discretised = full(images, double.NegativeInfinity, ScalarType.Float64, x.device);
        Sample(vae, x, mu, logvar, k, discretised: true, generator, chunk =>
        {
            FoldLogSumExp(density, chunk.LogLikelihood + chunk.LogPriorRatio);
            FoldLogSumExp(discretised, chunk.DiscretisedLogLikelihood! + chunk.LogPriorRatio);
        });
        return (density - Math.Log(k), discretised - Math.Log(k));
    }

    /// <summary>
    /// Importance-sampling estimates of log p(x) per image (float64), one for each k of the
    /// ascending <paramref name="ks"/>, each from the first k of one stream of samples: from
    /// q(z|x) = N(mu, diag(exp(logvar))), or from the prior when <paramref name="mu"/> is null.
    /// </summary>
    public static Tensor[] Estimates(Vae vae, Tensor x, Tensor? mu, Tensor? logvar, int[] ks, Generator generator)
    {
        var running = full(x.shape[0], double.NegativeInfinity, ScalarType.Float64, x.device);
        var estimates = new Tensor[ks.Length];
        long done = 0;
        for (var i = 0; i < ks.Length; i++)
        {
            Sample(vae, x, mu, logvar, ks[i] - done, discretised: false, generator, chunk => FoldLogSumExp(running, chunk.LogLikelihood + chunk.LogPriorRatio));
            done = ks[i];
            estimates[i] = running - Math.Log(ks[i]);
        }
        running.Dispose();
        return estimates;
    }

    /// <summary>
    /// One chunk of samples for every image, (samples, images), float64: log p(x|z) of the density,
    /// log P(x|z) of the discretised decoder when asked for, and log p(z) - log r(z) with r the
    /// proposal (0 for the prior).
    /// </summary>
    public sealed record SampleChunk(Tensor LogLikelihood, Tensor? DiscretisedLogLikelihood, Tensor LogPriorRatio);

    /// <summary>
    /// Draws <paramref name="samples"/> latents per image from q(z|x), or from the prior when
    /// <paramref name="mu"/> is null, and hands them to <paramref name="fold"/> decoded, in chunks
    /// sized by <see cref="DecodeBudget"/>, each inside its own dispose scope: memory stays that of
    /// one chunk whatever the number of samples. Run it in eval mode (see <see cref="Vae.DecoderWidth"/>).
    /// A prior sample does not depend on the image, so each one serves every image of
    /// <paramref name="x"/>: one decoding per sample instead of one per sample and image. Each image's
    /// estimate is distributed as with draws of its own; the images' estimates share their draws
    /// (callers that need independent repeats call once per repeat).
    /// </summary>
    public static void Sample(Vae vae, Tensor x, Tensor? mu, Tensor? logvar, long samples, bool discretised, Generator generator, Action<SampleChunk> fold)
    {
        var images = x.shape[0];
        var fromPrior = mu is null || logvar is null;
        // Numbers per sample: the decoder's widest layer for each latent decoded, or the likelihood's
        // (samples, images, pixels) terms when one decoding serves every image.
        var decodedPerSample = fromPrior ? 1 : images;
        var perSample = Math.Max(decodedPerSample * vae.DecoderWidth, images * x[0].numel());
        var perChunk = Math.Max(1, DecodeBudget / perSample);
        for (long done = 0; done < samples;)
        {
            using var scope = NewDisposeScope();
            var chunk = Math.Min(perChunk, samples - done);
            var eps = randn([chunk * decodedPerSample, vae.LatentDim], device: x.device, generator: generator);
            Tensor z, logPriorRatio;
            if (fromPrior)
            {
                z = eps;
                logPriorRatio = zeros([chunk, images], ScalarType.Float64, x.device);
            }
            else
            {
                var logvarRepeated = logvar!.repeat(chunk, 1);
                z = Vae.Reparameterize(mu!.repeat(chunk, 1), logvarRepeated, eps);
                logPriorRatio = (Gaussian.LogStandardNormal(z) - Gaussian.LogPosterior(eps, logvarRepeated)).to_type(ScalarType.Float64).view(chunk, images);
            }
            // (chunk, images or 1, ...): broadcast against x's images by the likelihoods.
            var mean = vae.Decode(z).view([chunk, decodedPerSample, .. x.shape[1..]]);
            fold(new SampleChunk(
                Gaussian.LogLikelihood(x, mean, vae.LogSigma).to_type(ScalarType.Float64),
                discretised ? Gaussian.DiscretisedLogLikelihood(x, mean, vae.LogSigma) : null,
                logPriorRatio));
            done += chunk;
        }
    }

    /// <summary>running = log(exp(running) + sum_i exp(logWeights_i)) per image, in place; logWeights (samples, images).</summary>
    public static void FoldLogSumExp(Tensor running, Tensor logWeights)
    {
        using var scope = NewDisposeScope();
        running.copy_(stack([running, logWeights.logsumexp(0)]).logsumexp(0));
    }
}
