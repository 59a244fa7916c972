namespace Exp.Engine.Objective;

/// <summary>Names of the metrics the engine reports.</summary>
public static class Metrics
{
    /// <summary>The training loss as optimised (weighted), nats per image.</summary>
    public const string TrainLoss = "train/loss";

    /// <summary>Held-out E_q[log p(x|z)], one sample per image, nats per image.</summary>
    public const string ReconLogLikelihood = "eval/recon_log_likelihood";

    /// <summary>Held-out KL(q(z|x) || p(z)), nats per image.</summary>
    public const string Kl = "eval/kl";

    /// <summary>Held-out unweighted ELBO, nats per image (higher is better).</summary>
    public const string Elbo = "eval/elbo";

    /// <summary>The ELBO as a code length: -ELBO / (D ln 2), bits per dimension (lower is better).</summary>
    public const string BitsPerDim = "eval/bits_per_dim";

    /// <summary>Mean squared error per pixel of the reconstructions decoder(mu(x)).</summary>
    public const string Mse = "eval/mse";

    /// <summary>The decoder noise sigma.</summary>
    public const string Sigma = "eval/sigma";

    /// <summary>Importance-weighted bound on log p(x) with k samples of q(z|x), nats per image.</summary>
    public const string Iwae = "eval/iwae";

    /// <summary>The same estimate with k samples of the prior p(z) instead of q(z|x), nats per image.</summary>
    public const string IwaePrior = "eval/iwae_prior";
}
