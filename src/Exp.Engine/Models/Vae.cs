using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Exp.Engine.Models;

/// <summary>
/// A variational autoencoder: the encoder gives q(z|x) = N(mu, diag(exp(logvar))), the decoder
/// the mean f(z) of the Gaussian likelihood p(x|z) = N(f(z), sigma^2 I). The one decoder noise
/// sigma is a parameter in log space, trained only when learned, and saved with the model.
/// </summary>
/// <remarks>
/// One convention throughout: the encoder's second output is the log-variance, so the standard
/// deviation is exp(logvar / 2) in sampling, in the KL and in log q. It is clamped to
/// [<see cref="MinLogVar"/>, <see cref="MaxLogVar"/>] (std from 3e-7 to 2.2e4), so that an
/// encoder pushed to extremes early in training cannot overflow exp or the KL.
/// </remarks>
public sealed class Vae : Module<Tensor, Tensor>
{
    private readonly Sequential encoder;
    private readonly Linear mu;
    private readonly Linear logvar;
    private readonly Sequential decoder;
    private readonly Parameter log_sigma;

    public const double MinLogVar = -30;
    public const double MaxLogVar = 20;

    /// <summary>The floor of a learned or optimal sigma: below it the likelihood's scale overflows float32.</summary>
    public const double MinSigma = 1e-3;

    public Vae(Sequential encoder, Linear mu, Linear logvar, Sequential decoder, double sigma, bool learnSigma, long[] imageShape)
        : base(nameof(Vae))
    {
        this.encoder = encoder;
        this.mu = mu;
        this.logvar = logvar;
        this.decoder = decoder;
        log_sigma = Parameter(tensor(Math.Log(sigma), ScalarType.Float32), requires_grad: learnSigma);
        LatentDim = mu.weight.shape[0];
        ImageShape = imageShape;
        RegisterComponents();
    }

    public long LatentDim { get; }

    /// <summary>(C, H, W) of the images it models.</summary>
    public long[] ImageShape { get; }

    public Tensor LogSigma => log_sigma;

    private long? decoderWidth;

    /// <summary>
    /// The most numbers one layer of the decoder outputs per latent: what decoding many latents at
    /// once costs in memory, per latent. A conv decoder's widest layer holds several times the
    /// image's numbers (8 times in the main example). Measured once, by decoding one latent layer by
    /// layer; in eval mode, so that batch norm leaves its running statistics alone.
    /// </summary>
    public long DecoderWidth => decoderWidth ??= MeasureDecoderWidth();

    private long MeasureDecoderWidth()
    {
        EngineAssert.That(!training, "the decoder's width is measured in eval mode");
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var h = zeros([1, LatentDim], device: log_sigma.device);
        var widest = h.numel();
        foreach (var layer in decoder.children().Cast<Module<Tensor, Tensor>>())
        {
            h = layer.call(h);
            widest = Math.Max(widest, h.numel());
        }
        return widest;
    }

    /// <summary>
    /// Sets log sigma outside of any gradient (a learned sigma initialised from the data, the
    /// sigma-VAE's optimal sigma per batch, the floor), floored at <see cref="MinSigma"/>.
    /// </summary>
    public void SetLogSigma(Tensor value)
    {
        using var _ = no_grad();
        log_sigma.copy_(value.clamp_min(Math.Log(MinSigma)));
    }

    /// <summary>Every parameter but log sigma, which a learned sigma trains with its own optimiser.</summary>
    public IEnumerable<Parameter> NetworkParameters() =>
        named_parameters().Where(p => p.name != nameof(log_sigma)).Select(p => p.parameter);

    public Sequential Encoder => encoder;
    public Linear Mu => mu;
    public Linear LogVar => logvar;
    public Sequential Decoder => decoder;

    public (Tensor Mu, Tensor LogVar) Encode(Tensor x)
    {
        using var features = encoder.call(x);
        using var raw = logvar.call(features);
        return (mu.call(features), raw.clamp(MinLogVar, MaxLogVar));
    }

    public Tensor Decode(Tensor z) => decoder.call(z);

    /// <summary>z = mu + exp(logvar / 2) * eps: a sample of q(z|x) that gradients flow through.</summary>
    public static Tensor Reparameterize(Tensor mu, Tensor logvar, Tensor eps) => mu + (0.5 * logvar).exp() * eps;

    /// <summary>The reconstruction decoder(mu(x)), as shown beside the inputs.</summary>
    public override Tensor forward(Tensor x)
    {
        var (m, lv) = Encode(x);
        using (lv)
        using (m)
            return Decode(m);
    }
}
