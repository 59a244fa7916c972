using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Exp.Engine.Models;

/// <summary>
/// The floating-point operations one image costs a <see cref="Vae"/>'s training step, counted
/// from its layers: each convolution, transposed convolution and linear layer is run on one image
/// and its multiply-adds (2 FLOPs each) follow from its weight and the shape it reads or writes.
/// The backward pass costs each such layer its weight gradient and, unless nothing trained is
/// upstream of it (the encoder's first layer reads the data), its input gradient, each as much as
/// the forward. Biases, normalisation, activations, sampling, the loss and the optimiser are
/// elementwise, a few percent of the work, and not counted: the convention of roofline figures and
/// of PyTorch's FlopCounterMode, so the figures compare.
/// </summary>
public static class ModelFlops
{
    /// <summary>One dense layer's share, per image.</summary>
    /// <param name="InputGradient">Whether the backward pass computes the gradient of its input.</param>
    public sealed record Layer(string Name, string Kind, long MultiplyAdds, bool InputGradient)
    {
        public long Forward => 2 * MultiplyAdds;

        /// <summary>The weight gradient, and the input gradient where it is needed, each a forward's worth.</summary>
        public long Backward => (InputGradient ? 2 : 1) * Forward;
    }

    public sealed record Count(IReadOnlyList<Layer> Layers)
    {
        public long Forward => Layers.Sum(l => l.Forward);
        public long Backward => Layers.Sum(l => l.Backward);

        /// <summary>FLOPs per image of one training step: forward and backward.</summary>
        public long Training => Forward + Backward;
    }

    public static Count Of(Vae vae)
    {
        var layers = new List<Layer>();
        var wasTraining = vae.training;
        vae.eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var device = vae.LogSigma.device;
            var trainedUpstream = false;
            var features = Run("encoder", vae.Encoder, zeros([1, .. vae.ImageShape], device: device), layers, ref trainedUpstream);
            // mu and logvar both read the encoder's features; z (and so the decoder's input) depends on both.
            Add("mu", vae.Mu, features, vae.Mu.call(features), layers, trainedUpstream);
            Add("logvar", vae.LogVar, features, vae.LogVar.call(features), layers, trainedUpstream);
            Run("decoder", vae.Decoder, zeros(1, vae.LatentDim, device: device), layers, ref trainedUpstream);
        }
        finally
        {
            vae.train(wasTraining);
        }
        return new Count(layers);
    }

    private static Tensor Run(string prefix, Sequential sequence, Tensor x, List<Layer> layers, ref bool trainedUpstream)
    {
        foreach (var (name, child) in sequence.named_children())
        {
            var output = ((nn.Module<Tensor, Tensor>)child).call(x);
            if (Add($"{prefix}.{name}", child, x, output, layers, trainedUpstream))
                trainedUpstream = true;
            x = output;
        }
        return x;
    }

    /// <summary>Adds the layer if it is a dense one; says whether it was.</summary>
    private static bool Add(string name, nn.Module module, Tensor input, Tensor output, List<Layer> layers, bool trainedUpstream)
    {
        // Every output element of a convolution or linear layer is a dot product with one output
        // channel's weights (weight: [out, in / groups, kernel...]); every input element of a
        // transposed convolution is scattered through one input channel's weights (weight: [in, out / groups, kernel...]).
        long? multiplyAdds = module switch
        {
            Conv2d conv => PerChannel(output, conv.weight!) * conv.weight!.numel(),
            Linear linear => PerChannel(output, linear.weight!) * linear.weight!.numel(),
            ConvTranspose2d deconv => PerChannel(input, deconv.weight!) * deconv.weight!.numel(),
            _ => null,
        };
        if (multiplyAdds is not { } count)
        {
            EngineAssert.That(!module.parameters().Any(p => p.requires_grad) || module is BatchNorm1d or BatchNorm2d,
                $"{name} ({module.GetType().Name}) has trained weights that the FLOP count knows nothing of");
            return false;
        }
        layers.Add(new Layer(name, module.GetType().Name, count, trainedUpstream));
        return true;
    }

    /// <summary>Elements of one image's tensor per channel of the weight's first dimension.</summary>
    private static long PerChannel(Tensor tensor, Tensor weight) => tensor.numel() / weight.shape[0];
}
