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
    /// with D the numbers per image. <paramref name="mean"/> is x's shape, or broadcasts against it
    /// with leading sample dimensions (samples, images, ...): one value per image and sample.
    /// </summary>
    public static Tensor LogLikelihood(Tensor x, Tensor mean, Tensor logSigma)
    {
        var d = x[0].numel();
        var squaredError = SumOverPixels((x - mean).square(), x);
        return -0.5 * squaredError * (-2 * logSigma).exp() - d * logSigma - 0.5 * d * Log2Pi;
    }

    /// <summary>Sums a per-pixel tensor over the pixel dimensions of <paramref name="x"/> (images, ...), its trailing ones.</summary>
    private static Tensor SumOverPixels(Tensor perPixel, Tensor x) => perPixel.flatten(perPixel.dim() - (x.dim() - 1)).sum(-1);

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
    /// not after a resize or a grey conversion). <paramref name="mean"/> is x's shape, or broadcasts
    /// against it with leading sample dimensions (samples, images, ...), as the importance-weighted
    /// estimates pass a chunk of decodings: the bins are then computed once per image, not per sample.
    /// </summary>
    /// <remarks>
    /// A pixel's mass with its bin [a, b] in sigmas is Phi(b) - Phi(a), and the bin reflected about the
    /// mean, [-b, -a], has the same mass. With A = -a / sqrt 2 and B = -b / sqrt 2, the reflection that
    /// puts the bin mostly below the mean is min(a, -b) to min(b, -a), so 2 Phi(b) - 2 Phi(a) =
    /// erfc(max(B, -A)) - erfc(max(A, -B)): both erfc of the tail, where they keep their relative
    /// precision, so the difference loses at most a few digits even for a bin 1e-4 sigma wide. That takes
    /// eleven float64 passes over a chunk's pixels: the passes, not the erfc, set the cost, and the
    /// thirty of the form before (bins recomputed per sample, reflection by masks) cost as much as
    /// decoding the chunk. Only beyond about 37 sigmas do both erfc underflow to 0; an image with
    /// such a pixel (seen as a sum of -inf) takes <see cref="LogNormalMass"/>, exact there.
    /// </remarks>
    public static Tensor DiscretisedLogLikelihood(Tensor x, Tensor mean, Tensor logSigma)
    {
        using var scope = NewDisposeScope();
        var top = PixelLevels - 1;
        var level = x.to_type(ScalarType.Float64).mul_(top).round_().clamp_(0, top);
        var lowEdge = (level - 0.5).div_(top).masked_fill_(level == 0, double.NegativeInfinity);
        var highEdge = (level + 0.5).div_(top).masked_fill_(level == top, double.PositiveInfinity);
        var sigma = logSigma.to_type(ScalarType.Float64).exp();

        // In units of sigma * sqrt 2, with the bins scaled once per image: every pass over a chunk's pixels counts.
        var scale = (sigma * Math.Sqrt(2)).reciprocal_();
        var (lowScaled, highScaled) = (lowEdge * scale, highEdge * scale);
        var scaled = mean.to_type(ScalarType.Float64).mul_(scale);
        var upper = maximum(scaled - highScaled, lowScaled - scaled);
        // max(A, -B) is max(B, -A) plus the bin's width (|centre| -+ half of it), or +inf for the open bins.
        var lower = upper + (highScaled - lowScaled);
        var perImage = SumOverPixels(upper.erfc_().sub_(lower.erfc_()).log_(), x).sub_(x[0].numel() * Math.Log(2));

        var underflow = perImage == double.NegativeInfinity;
        if (underflow.any().item<bool>())
        {
            var mean64 = mean.to_type(ScalarType.Float64);
            var exact = SumOverPixels(LogNormalMass((lowEdge - mean64).div_(sigma), (highEdge - mean64).div_(sigma)), x);
            perImage = where(underflow, exact, perImage);
        }
        return perImage.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// log(Phi(b) - Phi(a)) for a &lt; b elementwise, float64, exact however far in either tail: the
    /// interval reflected to lie mostly below 0 (the same mass), then log Phi(high) + log(1 -
    /// Phi(low) / Phi(high)) with <see cref="LogNormalCdf"/>. Several times the operations of the erfc
    /// difference, so <see cref="DiscretisedLogLikelihood"/> takes it only for the images where that underflows.
    /// </summary>
    public static Tensor LogNormalMass(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var (logLow, logHigh) = (LogNormalCdf(minimum(a, -b)), LogNormalCdf(minimum(b, -a)));
        return (logHigh + (-(logLow - logHigh).expm1()).log()).MoveToOuterDisposeScope();
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
