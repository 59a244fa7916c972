using static TorchSharp.torch;

namespace Exp.Engine.Objective;

/// <summary>
/// Log-densities of the VAE's Gaussians, one value per row (image or latent vector) of the batch,
/// in nats. Variances are given as log-variances everywhere: std = exp(logvar / 2).
/// </summary>
public static class Gaussian
{
    public static readonly double Log2Pi = Math.Log(2 * Math.PI);

    /// <summary>
    /// log N(x; mean, sigma^2 I) = -||x - mean||^2 / (2 sigma^2) - D log sigma - (D/2) log 2pi,
    /// with D the numbers per image.
    /// </summary>
    public static Tensor LogLikelihood(Tensor x, Tensor mean, Tensor logSigma)
    {
        var d = x[0].numel();
        var squaredError = (x - mean).square().flatten(1).sum(1);
        return -0.5 * squaredError * (-2 * logSigma).exp() - d * logSigma - 0.5 * d * Log2Pi;
    }

    /// <summary>KL(N(mu, diag(exp(logvar))) || N(0, I)) = 1/2 sum(exp(logvar) + mu^2 - 1 - logvar).</summary>
    public static Tensor KlToStandardNormal(Tensor mu, Tensor logvar) => KlPerDimension(mu, logvar).sum(1);

    /// <summary>The KL's terms per latent dimension, (batch, latent).</summary>
    public static Tensor KlPerDimension(Tensor mu, Tensor logvar) => 0.5 * (logvar.exp() + mu.square() - 1 - logvar);

    /// <summary>
    /// The log-likelihood at the sigma that maximises it for a mean squared error per number
    /// <paramref name="mse"/> (sigma^2 = mse): -D/2 (1 + log 2pi + log mse), floored like a learned sigma.
    /// </summary>
    public static double LogLikelihoodAtOptimalSigma(double mse, long dimensions, double minSigma)
    {
        var variance = Math.Max(mse, minSigma * minSigma);
        return -0.5 * dimensions * (mse / variance + Log2Pi + Math.Log(variance));
    }

    /// <summary>log N(z; 0, I).</summary>
    public static Tensor LogStandardNormal(Tensor z) => -0.5 * (z.square() + Log2Pi).sum(1);

    /// <summary>
    /// log N(z; mu, diag(exp(logvar))) for z = mu + exp(logvar / 2) * eps, from eps itself:
    /// (z - mu)^2 / exp(logvar) is exactly eps^2, without the cancellation of subtracting mu.
    /// </summary>
    public static Tensor LogPosterior(Tensor eps, Tensor logvar) => -0.5 * (eps.square() + logvar + Log2Pi).sum(1);
}
