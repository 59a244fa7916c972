using Exp.Engine.Models;
using static TorchSharp.torch;

namespace Exp.Engine.Objective;

/// <param name="K">Samples per estimate.</param>
/// <param name="QMean">Mean over repeats of the estimate of log p(x) with q(z|x) as the proposal, averaged over the images (nats per image).</param>
/// <param name="QStd">Its standard deviation over repeats.</param>
/// <param name="PriorMean">The same with the prior p(z) as the proposal.</param>
/// <param name="PriorStd">Its standard deviation over repeats.</param>
public readonly record struct ProposalEstimate(int K, double QMean, double QStd, double PriorMean, double PriorStd);

/// <summary>
/// The notes' open question, answered with data: is sampling z from q(z|x) a better way to
/// estimate log p(x) than sampling from the prior? For each k, both importance-sampling
/// estimates on a fixed set of held-out images, repeated with fresh samples: a better proposal
/// gives a higher estimate (each is a lower bound in expectation) that varies less.
/// </summary>
public static class ProposalComparison
{
    public static ProposalEstimate[] Run(Vae vae, Tensor images, int[] ks, int repeats, Generator generator)
    {
        if (repeats < 2)
            throw new ArgumentException($"a standard deviation needs at least 2 repeats, not {repeats}");
        var wasTraining = vae.training;
        vae.eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var (mu, logvar) = vae.Encode(images);
            // (repeats, proposal, k): each the mean over images of one estimate.
            var values = stack(Enumerable.Range(0, repeats).Select(_ => stack(
            [
                stack(Evaluator.Estimates(vae, images, mu, logvar, ks, generator).Select(e => e.mean()).ToArray()),
                stack(Evaluator.Estimates(vae, images, null, null, ks, generator).Select(e => e.mean()).ToArray()),
            ])).ToArray());
            var summary = stack([values.mean([0]), values.std(0, unbiased: true)]).cpu().data<double>().ToArray();
            // summary: (statistic, proposal, k) flattened.
            var n = ks.Length;
            return ks.Select((k, i) => new ProposalEstimate(k, summary[i], summary[2 * n + i], summary[n + i], summary[3 * n + i])).ToArray();
        }
        finally
        {
            vae.train(wasTraining);
        }
    }
}
