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
/// deviation is exp(logvar / 2) in sampling, in the KL and in log q.
/// </remarks>
public sealed class Vae : Module<Tensor, Tensor>
{
    private readonly Sequential encoder;
    private readonly Linear mu;
    private readonly Linear logvar;
    private readonly Sequential decoder;
    private readonly Parameter log_sigma;

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

    public Sequential Encoder => encoder;
    public Linear Mu => mu;
    public Linear LogVar => logvar;
    public Sequential Decoder => decoder;

    public (Tensor Mu, Tensor LogVar) Encode(Tensor x)
    {
        using var features = encoder.call(x);
        return (mu.call(features), logvar.call(features));
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
