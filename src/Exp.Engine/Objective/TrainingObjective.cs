using Exp.Engine.Models;
using Exp.Spec;
using static TorchSharp.torch;

namespace Exp.Engine.Objective;

/// <summary>
/// The loss a trial optimises, in nats per image: the negative reconstruction log-likelihood and
/// the analytic KL, weighted as <c>beta</c> (recon + w KL) or <c>fraction</c> ((1 - w) recon + w KL).
/// With w = 1 in beta mode it is the negative ELBO.
/// </summary>
public sealed class TrainingObjective(LossConfig config)
{
    private readonly double reconWeight = config.KlMode == KlMode.Fraction ? 1 - config.KlWeight : 1;
    private readonly double klWeight = config.KlWeight;

    public Tensor Loss(Vae vae, Tensor x, Generator generator)
    {
        var (mu, logvar) = vae.Encode(x);
        var eps = randn(mu.shape, device: mu.device, generator: generator);
        var mean = vae.Decode(Vae.Reparameterize(mu, logvar, eps));
        var recon = -Gaussian.LogLikelihood(x, mean, vae.LogSigma).mean();
        var kl = Gaussian.KlToStandardNormal(mu, logvar).mean();
        return reconWeight * recon + klWeight * kl;
    }
}
