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

    /// <summary>The values an 8-bit pixel takes: 0 to 255, scaled to [0, 1] by the datasets.</summary>
    public const int PixelLevels = 256;

    /// <summary>
    /// log P(x | mean, sigma) of 8-bit images under the discretised Gaussian decoder, per image, float64:
    /// each pixel's probability is the mass of N(mean, sigma^2) on its bin, the values within half a
    /// level (1/510) of it, with the bins of 0 and 255 open to -inf and +inf so that the 256
    /// probabilities sum to 1. A probability of a discrete value, so it is at most 0 (bits/dim >= 0),
    /// unlike the density's log-likelihood. Pixels are first rounded to the nearest level: what
    /// saving the image as 8 bits does (they are exact levels for Fashion-MNIST and image files,
    /// not after a resize or a grey conversion).
    /// </summary>
    public static Tensor DiscretisedLogLikelihood(Tensor x, Tensor mean, Tensor logSigma)
    {
        using var scope = NewDisposeScope();
        var top = PixelLevels - 1;
        // In place where it can be: each float64 intermediate is 8 bytes per pixel of a whole chunk of decodings.
        var level = x.to_type(ScalarType.Float64).mul_(top).round_().clamp_(0, top);
        var sigma = logSigma.to_type(ScalarType.Float64).exp();
        var centre = (level / top).sub_(mean.to_type(ScalarType.Float64));
        var halfBin = 0.5 / top;
        var lower = (centre - halfBin).div_(sigma).masked_fill_(level == 0, double.NegativeInfinity);
        var upper = centre.add_(halfBin).div_(sigma).masked_fill_(level == top, double.PositiveInfinity);
        return LogNormalMass(lower, upper).flatten(1).sum(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// log(Phi(b) - Phi(a)) for a &lt; b elementwise, float64, without cancellation or underflow in
    /// either tail. The interval is reflected to lie mostly below 0, where Phi = erfc(-t / sqrt 2) / 2
    /// keeps its relative precision, so the difference of the two erfc loses at most a few digits
    /// even for a bin 1e-4 sigma wide. Only beyond about 37 sigma does erfc underflow to 0; those
    /// masses (checked for once per call) take the slower log Phi(b) + log(1 - Phi(a) / Phi(b)) of
    /// <see cref="LogNormalCdf"/>. That form everywhere made the discretised likelihood of a chunk
    /// cost as much as decoding it (measured: 14 to 19 s against 10 to 24 s for 20 chunks of 640
    /// latents of the main example's model, on the loaded 2-core machine).
    /// </summary>
    public static Tensor LogNormalMass(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var reflect = a > 0;
        var low = where(reflect, -b, a);
        var high = where(reflect, -a, b);
        var logMass = NormalCdf(high).sub_(NormalCdf(low)).log_();
        var underflow = logMass == double.NegativeInfinity;
        if (!underflow.any().item<bool>())
            return logMass.MoveToOuterDisposeScope();
        var (logLow, logHigh) = (LogNormalCdf(low), LogNormalCdf(high));
        var tail = logHigh + (-(logLow - logHigh).expm1()).log();
        return where(underflow, tail, logMass).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// log Phi(t), float64, exact in both tails: log(erfc(-t / sqrt 2) / 2) from t = -30 up to 0 (where
    /// 1 + erf would cancel: libtorch's ndtr returns 0 at t = -10), log1p(-Phi(-t)) above 0, and below
    /// -30, where erfc nears underflow, the asymptotic series -t^2/2 - log(-t) - (1/2) log 2pi
    /// + log(1 - 1/t^2 + 3/t^4 - 15/t^6), whose next term is 105/t^8 &lt; 2e-10 there. An infinite t is
    /// taken as +-1e10, whose log Phi is -5e19 or 0: the same to every sum it enters.
    /// </summary>
    public static Tensor LogNormalCdf(Tensor t)
    {
        using var scope = NewDisposeScope();
        var finite = t.clamp(-1e10, 1e10);
        var inverseSquare = finite.square().reciprocal();
        var series = -0.5 * finite.square() - (-finite).log() - 0.5 * Log2Pi
            + (inverseSquare * (-1 + inverseSquare * (3 - 15 * inverseSquare))).log1p();
        var lowerHalf = where(finite < -30, series, NormalCdf(finite).log());
        return where(finite <= 0, lowerHalf, (-NormalCdf(-finite)).log1p()).MoveToOuterDisposeScope();
    }

    /// <summary>Phi(t) = erfc(-t / sqrt 2) / 2: accurate in the lower tail, where 1 + erf would cancel.</summary>
    private static Tensor NormalCdf(Tensor t) => 0.5 * special.erfc(-t / Math.Sqrt(2));

    /// <summary>log N(z; 0, I).</summary>
    public static Tensor LogStandardNormal(Tensor z) => -0.5 * (z.square() + Log2Pi).sum(1);

    /// <summary>
    /// log N(z; mu, diag(exp(logvar))) for z = mu + exp(logvar / 2) * eps, from eps itself:
    /// (z - mu)^2 / exp(logvar) is exactly eps^2, without the cancellation of subtracting mu.
    /// </summary>
    public static Tensor LogPosterior(Tensor eps, Tensor logvar) => -0.5 * (eps.square() + logvar + Log2Pi).sum(1);
}
