using Exp.Engine.Models;
using Exp.Spec;
using static TorchSharp.torch;

namespace Exp.Engine.Objective;

/// <summary>
/// The loss a trial optimises, per image averaged over the batch. The reconstruction term is
/// <c>gaussian</c>, -log N(x; f(z), sigma^2 I), or <c>mse</c>, the mean squared error per pixel
/// (the notes' code, PyTorch-VAE); the KL term is summed over latent dimensions. They are
/// weighted as <c>beta</c> (recon + w KL) or <c>fraction</c> ((1 - w) recon + w KL); with a
/// gaussian term and w = 1 in beta mode it is the negative ELBO. The KL weight is scaled by the
/// warm-up factor, and with free bits each dimension's batch-mean KL counts at least that much.
/// </summary>
public sealed class TrainingObjective(LossConfig config)
{
    private readonly double reconWeight = config.KlMode == KlMode.Fraction ? 1 - config.KlWeight : 1;

    /// <param name="klScale">The warm-up factor of the KL weight, 0 to 1 (see <see cref="WarmupFactor"/>).</param>
    public Tensor Loss(Vae vae, Tensor x, Generator generator, double klScale = 1) =>
        Loss(vae, x, randn([x.shape[0], vae.LatentDim], dtype: x.dtype, device: x.device, generator: generator), klScale);

    /// <param name="eps">The noise of z = mu + std * eps, one row per image (the numerics check gives both precisions the same).</param>
    public Tensor Loss(Vae vae, Tensor x, Tensor eps, double klScale = 1)
    {
        var (mu, logvar) = vae.Encode(x);
        var mean = vae.Decode(Vae.Reparameterize(mu, logvar, eps));
        return reconWeight * Reconstruction(vae, x, mean) + klScale * config.KlWeight * Kl(mu, logvar);
    }

    /// <summary>min(1, step / (warm-up epochs * steps per epoch)): linear from 0 at the first step; 1 without warm-up.</summary>
    public static double WarmupFactor(LossConfig config, long step, long stepsPerEpoch) =>
        config.KlWarmupEpochs <= 0 ? 1 : Math.Min(1, (double)step / (config.KlWarmupEpochs * stepsPerEpoch));

    private Tensor Reconstruction(Vae vae, Tensor x, Tensor mean)
    {
        if (config.Reconstruction == Spec.Reconstruction.Mse)
            return (x - mean).square().mean();
        if (config.Sigma == SigmaMode.Optimal)
        {
            // The sigma-VAE: sigma = sqrt(batch MSE), detached, so the loss is the likelihood at
            // the sigma that maximises it. The model keeps it for evaluation and checkpoints.
            using (no_grad())
                vae.SetLogSigma(0.5 * (x - mean).square().mean().log());
        }
        return -Gaussian.LogLikelihood(x, mean, vae.LogSigma).mean();
    }

    private Tensor Kl(Tensor mu, Tensor logvar)
    {
        if (config.FreeBits <= 0)
            return Gaussian.KlToStandardNormal(mu, logvar).mean();
        return Gaussian.KlPerDimension(mu, logvar).mean([0]).clamp_min(config.FreeBits).sum();
    }
}
