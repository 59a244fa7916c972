using Exp.Engine.Models;
using static TorchSharp.torch;

namespace Exp.Engine.Objective;

/// <summary>
/// One estimator's error against its target, at each k of the comparison. Each image's bias and
/// mean squared error are taken over the repeats; the figures are their means over the images,
/// with the standard error of each mean over the images (the images' spread divided by sqrt(n)).
/// </summary>
/// <param name="Mean">The estimate, averaged over images and repeats (nats per image).</param>
public sealed record EstimatorErrors(double[] Mean, double[] Bias, double[] BiasSe, double[] Mse, double[] MseSe);

/// <summary>What <see cref="ProposalComparison.Run"/> measured.</summary>
/// <param name="ReferenceK">Samples of q(z|x) per image behind each repeat's targets: the other repeats' at the largest k.</param>
/// <param name="Reference">log p(x) by the IWAE of every repeat's samples of q at the largest k pooled, averaged over the images.</param>
/// <param name="ReconReference">E_q[log p(x|z)] by the mean of log p(x|z) over the same samples, averaged over the images.</param>
/// <param name="Prior">K_l: log (1/k) sum p(x|z_i), z_i ~ p(z), against log p(x).</param>
/// <param name="Q">The IWAE estimate, log (1/k) sum p(x|z_i) p(z_i) / q(z_i|x), z_i ~ q(z|x), against log p(x).</param>
/// <param name="Recon">K_r: (1/k) sum log p(x|z_i), z_i ~ q(z|x), against E_q[log p(x|z)].</param>
public sealed record ProposalComparisonResult(
    int[] Ks,
    int Images,
    int Repeats,
    int ReferenceK,
    double Reference,
    double ReconReference,
    EstimatorErrors Prior,
    EstimatorErrors Q,
    EstimatorErrors Recon)
{
    public const string PriorName = Exp.Spec.ProposalEstimators.Prior;
    public const string QName = Exp.Spec.ProposalEstimators.Q;
    public const string ReconName = Exp.Spec.ProposalEstimators.Recon;

    public IEnumerable<(string Name, EstimatorErrors Errors)> Estimators => [(PriorName, Prior), (QName, Q), (ReconName, Recon)];

    /// <summary>The figures as metrics (names in <see cref="Metrics.Proposal"/>): the estimate, bias, MSE and their standard errors per estimator and k, and the two references.</summary>
    public Dictionary<string, double> Metrics()
    {
        var metrics = new Dictionary<string, double>
        {
            [Exp.Spec.Metrics.ProposalReference(QName)] = Reference,
            [Exp.Spec.Metrics.ProposalReference(ReconName)] = ReconReference,
        };
        foreach (var (name, errors) in Estimators)
        {
            for (var i = 0; i < Ks.Length; i++)
            {
                metrics[Exp.Spec.Metrics.Proposal(name, null, Ks[i])] = errors.Mean[i];
                metrics[Exp.Spec.Metrics.Proposal(name, "bias", Ks[i])] = errors.Bias[i];
                metrics[Exp.Spec.Metrics.Proposal(name, "bias_se", Ks[i])] = errors.BiasSe[i];
                metrics[Exp.Spec.Metrics.Proposal(name, "mse", Ks[i])] = errors.Mse[i];
                metrics[Exp.Spec.Metrics.Proposal(name, "mse_se", Ks[i])] = errors.MseSe[i];
            }
        }
        return metrics;
    }
}

/// <summary>
/// The notes' open question, measured. The notes compare K_l = log (1/n) sum p(x|Z_i), Z_i ~ p(z),
/// with K_r = (1/n) sum log p(x|Z^_i), Z^_i ~ q(z|x), and ask which has the smaller mean squared
/// error at the same n. They estimate different things: K_l tends to log p(x), K_r to
/// E_q[log p(x|z)] (log p(x) plus KL(q(z|x) || p(z|x)) minus KL(q(z|x) || p(z))), so each is
/// measured against its own target; and the estimator of log p(x) that samples q is the
/// importance-weighted one (IWAE), measured against log p(x) beside K_l. The targets are references
/// per image and repeat, cross-fitted: the IWAE (for log p(x)) and the mean of log p(x|z) (for K_r's
/// target) of the other repeats' samples of q at the largest k, pooled: (repeats - 1) times the
/// largest k samples, independent of the samples they judge, and at no extra decoding. A prior draw
/// does not depend on the image, so within a repeat the same draws serve every image (see
/// <see cref="Evaluator.Sample"/>): each image's K_l is distributed as with draws of its own, and
/// the prior half decodes once per draw instead of once per draw and image.
/// </summary>
public static class ProposalComparison
{
    public static ProposalComparisonResult Run(Vae vae, Tensor images, int[] ks, int repeats, Generator generator)
    {
        if (repeats < 2)
            throw new ArgumentException($"a mean squared error over repeats needs at least 2 of them, not {repeats}");
        var wasTraining = vae.training;
        vae.eval();
        try
        {
            using var _ = inference_mode();
            using var scope = NewDisposeScope();
            var count = images.shape[0];
            var largest = ks[^1];
            var (mu, logvar) = vae.Encode(images);

            // The repeats side by side as rows (repeat-major), so each chunk decodes for all of them at once.
            var rows = images.repeat(repeats, 1, 1, 1);
            var (muRows, logvarRows) = (mu.repeat(repeats, 1), logvar.repeat(repeats, 1));
            var qLogSum = full(rows.shape[0], double.NegativeInfinity, ScalarType.Float64, images.device);
            var priorLogSum = qLogSum.clone();
            var reconSum = zeros(rows.shape[0], ScalarType.Float64, images.device);
            var (q, prior, kr) = (new List<Tensor>(), new List<Tensor>(), new List<Tensor>());
            long done = 0;
            foreach (var k in ks)
            {
                Evaluator.Sample(vae, rows, muRows, logvarRows, k - done, discretised: false, generator, chunk =>
                {
                    Evaluator.FoldLogSumExp(qLogSum, chunk.LogLikelihood + chunk.LogPriorRatio);
                    reconSum.add_(chunk.LogLikelihood.sum([0]));
                });
                // Each repeat's prior draws serve all its images (they do not depend on the image), never another repeat's.
                for (var repeat = 0; repeat < repeats; repeat++)
                {
                    var repeatLogSum = priorLogSum.narrow(0, repeat * count, count);
                    Evaluator.Sample(vae, images, null, null, k - done, discretised: false, generator, chunk => Evaluator.FoldLogSumExp(repeatLogSum, chunk.LogLikelihood));
                }
                done = k;
                q.Add((qLogSum - Math.Log(k)).view(repeats, count));
                prior.Add((priorLogSum - Math.Log(k)).view(repeats, count));
                kr.Add((reconSum / k).view(repeats, count));
            }

            // Each repeat's targets, per image, from the other repeats' samples of q pooled (cross-fitting): as many
            // samples as the repeats but one hold at the largest k, none of them among those the targets judge.
            var (logSums, reconSums) = (qLogSum.view(repeats, count), reconSum.view(repeats, count));
            var own = eye(repeats, dtype: ScalarType.Bool, device: images.device).view(repeats, repeats, 1);
            var pooled = (long)(repeats - 1) * largest;
            var logP = logSums.unsqueeze(0).expand(repeats, repeats, count).masked_fill(own, double.NegativeInfinity).logsumexp(1) - Math.Log(pooled);
            var recon = (reconSums.sum([0]) - reconSums) / pooled;
            var allLogP = logSums.logsumexp(0) - Math.Log((long)repeats * largest);
            var allRecon = reconSums.sum([0]) / ((long)repeats * largest);

            // (estimator, statistic, k) on the device, read back once.
            var summary = stack([Errors(stack(prior), logP), Errors(stack(q), logP), Errors(stack(kr), recon)]);
            var references = stack([allLogP.mean(), allRecon.mean()]).cpu().data<double>().ToArray();
            var host = summary.cpu().data<double>().ToArray();
            EstimatorErrors Read(int estimator)
            {
                double[] Row(int statistic) => host.AsSpan((estimator * 5 + statistic) * ks.Length, ks.Length).ToArray();
                return new EstimatorErrors(Row(0), Row(1), Row(2), Row(3), Row(4));
            }
            return new ProposalComparisonResult(ks, (int)count, repeats, (int)pooled, references[0], references[1], Read(0), Read(1), Read(2));
        }
        finally
        {
            vae.train(wasTraining);
        }
    }

    /// <summary>
    /// Estimates (k, repeats, images) against targets per repeat and image: (statistic, k) with the statistics
    /// mean estimate, bias, its standard error, MSE, its standard error, over the images of the
    /// per-image figures over the repeats.
    /// </summary>
    private static Tensor Errors(Tensor estimates, Tensor target)
    {
        var error = estimates - target;
        var (bias, squared) = (error.mean([1]), error.square().mean([1]));
        var images = target.shape[1];
        // One image has no spread to measure: its standard errors are 0, not NaN.
        Tensor StandardError(Tensor perImage) => images > 1 ? perImage.std(1, unbiased: true) / Math.Sqrt(images) : zeros_like(perImage.mean([1]));
        return stack([estimates.mean([1, 2]), bias.mean([1]), StandardError(bias), squared.mean([1]), StandardError(squared)]);
    }
}
