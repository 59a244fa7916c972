using Exp.Spec;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Exp.Engine.Models;

/// <summary>Builds the <see cref="Vae"/> a <see cref="ModelConfig"/> describes, for images of the data's shape.</summary>
public static class VaeFactory
{
    public static Vae Create(ModelConfig model, LossConfig loss, int channels, int imageSize)
    {
        EngineAssert.That(model.LatentDim >= 1 && model.Channels.Length > 0 && model.Channels.All(c => c >= 1), "model.latent_dim and model.channels are positive");
        EngineAssert.That(loss.NoiseSigma > 0, "loss.noise_sigma is positive");
        EngineAssert.That(loss.Reconstruction != Reconstruction.Mse || loss.Sigma == SigmaMode.Fixed, "reconstruction mse has a derived, fixed sigma");

        long[] imageShape = [channels, imageSize, imageSize];
        return model.Architecture switch
        {
            Architecture.Conv => Conv(model, loss, imageShape),
            Architecture.Mlp => Mlp(model, loss, imageShape),
            _ => throw new ArgumentOutOfRangeException(nameof(model), model.Architecture, "unknown architecture"),
        };
    }

    /// <summary>
    /// Stride-2 convolutions halve the size per layer (padding (k-1)/2 does so for any kernel on
    /// even sizes); the decoder mirrors them, doubling by a transposed convolution (output padding
    /// 2 + 2p - k makes it exactly double) or by nearest upsampling and a size-keeping convolution.
    /// </summary>
    private static Vae Conv(ModelConfig model, LossConfig loss, long[] imageShape)
    {
        var k = model.KernelSize;
        var layers = model.Channels.Length;
        var size = imageShape[1];
        EngineAssert.That(k >= 1 && size % (1L << layers) == 0, "model.kernel_size is positive and data.image_size divisible by 2^(layers of model.channels)");
        var padding = (k - 1) / 2;
        var outputPadding = 2 + 2 * padding - k;
        var last = model.Channels[^1];
        var bottom = size >> layers;
        var features = last * bottom * bottom;

        var encoder = new List<(string, Module<Tensor, Tensor>)>();
        var input = imageShape[0];
        for (var i = 0; i < layers; i++)
        {
            encoder.Add(($"conv{i}", Conv2d(input, model.Channels[i], k, stride: 2, padding: padding)));
            if (model.BatchNorm)
                encoder.Add(($"bn{i}", BatchNorm2d(model.Channels[i])));
            encoder.Add(($"act{i}", Activation(model.Activation)));
            input = model.Channels[i];
        }
        encoder.Add(("flatten", Flatten()));

        var decoder = new List<(string, Module<Tensor, Tensor>)>
        {
            ("linear", Linear(model.LatentDim, features)),
            // The notes' decoder: the activation after the linear layer too, so the first
            // convolution sees features rather than an affine map of z.
            ("act_linear", Activation(model.Activation)),
            ("unflatten", Unflatten(1, [last, bottom, bottom])),
        };
        for (var i = 0; i < layers; i++)
        {
            var isLast = i == layers - 1;
            var output = isLast ? imageShape[0] : model.Channels[layers - 2 - i];
            if (model.Upsample == Spec.Upsample.Transposed)
            {
                decoder.Add(($"deconv{i}", ConvTranspose2d(input, output, k, stride: 2, padding: padding, output_padding: outputPadding)));
            }
            else
            {
                decoder.Add(($"upsample{i}", Upsample(scale_factor: [2, 2], mode: UpsampleMode.Nearest)));
                decoder.Add(($"conv{i}", Conv2d(input, output, k, TorchSharp.Padding.Same)));
            }
            if (!isLast)
            {
                if (model.BatchNorm)
                    decoder.Add(($"bn{i}", BatchNorm2d(output)));
                decoder.Add(($"act{i}", Activation(model.Activation)));
            }
            input = output;
        }
        AddOutput(decoder, model.Output);

        return new Vae(Sequential(encoder), Linear(features, model.LatentDim), Linear(features, model.LatentDim),
            Sequential(decoder), loss.NoiseSigma, loss.Sigma == SigmaMode.Learned, imageShape);
    }

    /// <summary>Fully connected layers of the given sizes, mirrored in the decoder.</summary>
    private static Vae Mlp(ModelConfig model, LossConfig loss, long[] imageShape)
    {
        var pixels = imageShape[0] * imageShape[1] * imageShape[2];
        var encoder = new List<(string, Module<Tensor, Tensor>)> { ("flatten", Flatten()) };
        var input = pixels;
        for (var i = 0; i < model.Channels.Length; i++)
        {
            AddHidden(encoder, i, input, model.Channels[i], model);
            input = model.Channels[i];
        }

        var decoder = new List<(string, Module<Tensor, Tensor>)>();
        var hidden = (long)model.LatentDim;
        for (var i = 0; i < model.Channels.Length; i++)
        {
            var output = model.Channels[^(i + 1)];
            AddHidden(decoder, i, hidden, output, model);
            hidden = output;
        }
        decoder.Add(("output", Linear(hidden, pixels)));
        decoder.Add(("unflatten", Unflatten(1, imageShape)));
        AddOutput(decoder, model.Output);

        return new Vae(Sequential(encoder), Linear(input, model.LatentDim), Linear(input, model.LatentDim),
            Sequential(decoder), loss.NoiseSigma, loss.Sigma == SigmaMode.Learned, imageShape);
    }

    private static void AddHidden(List<(string, Module<Tensor, Tensor>)> layers, int i, long input, long output, ModelConfig model)
    {
        layers.Add(($"linear{i}", Linear(input, output)));
        if (model.BatchNorm)
            layers.Add(($"bn{i}", BatchNorm1d(output)));
        layers.Add(($"act{i}", Activation(model.Activation)));
    }

    private static void AddOutput(List<(string, Module<Tensor, Tensor>)> decoder, OutputActivation output)
    {
        if (output == OutputActivation.Sigmoid)
            decoder.Add(("sigmoid", Sigmoid()));
    }

    private static Module<Tensor, Tensor> Activation(Activation activation) => activation switch
    {
        Spec.Activation.Relu => ReLU(),
        Spec.Activation.LeakyRelu => LeakyReLU(),
        Spec.Activation.Gelu => GELU(),
        Spec.Activation.Silu => SiLU(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };
}
