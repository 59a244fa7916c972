using Exp.Engine.Models;
using Exp.Spec;
using TorchSharp;
using static TorchSharp.torch;

namespace Exp.Engine.Tests.Models;

public class VaeFactoryTests
{
    private static readonly LossConfig Loss = TestConfigs.Loss();

    [Fact]
    public void The_notes_architecture_has_exactly_the_layers_of_the_design()
    {
        var notes = ExampleSpecs.BaseTrial("notes-faces");
        using var vae = VaeFactory.Create(notes.Model, notes.Loss, notes.Data.Channels, notes.Data.ImageSize);

        string[] block = ["Conv2d", "BatchNorm2d", "LeakyReLU"];
        Assert.Equal([.. block, .. block, .. block, .. block, "Flatten"], Types(vae.Encoder));
        Assert.Equal([1024, 4096], vae.Mu.weight.shape);
        Assert.Equal([1024, 4096], vae.LogVar.weight.shape);
        string[] up = ["Upsample", "Conv2d", "BatchNorm2d", "LeakyReLU"];
        Assert.Equal(["Linear", "LeakyReLU", "Unflatten", .. up, .. up, .. up, "Upsample", "Conv2d"], Types(vae.Decoder));

        var convs = vae.Encoder.children().OfType<TorchSharp.Modules.Conv2d>().Select(c => c.weight.shape).ToArray();
        Assert.Equal([[32, 3, 3, 3], [64, 32, 3, 3], [64, 64, 3, 3], [64, 64, 3, 3]], convs);
        var deconvs = vae.Decoder.children().OfType<TorchSharp.Modules.Conv2d>().Select(c => c.weight.shape).ToArray();
        Assert.Equal([[64, 64, 3, 3], [64, 64, 3, 3], [32, 64, 3, 3], [3, 32, 3, 3]], deconvs);

        vae.eval();
        Assert.Equal([2, 3, 128, 128], vae.call(zeros(2, 3, 128, 128)).shape);
    }

    [Theory]
    [MemberData(nameof(ExampleSpecs.Names), MemberType = typeof(ExampleSpecs))]
    public void The_specs_memory_estimate_counts_exactly_the_parameters_the_engine_builds(string example)
    {
        var config = ExampleSpecs.BaseTrial(example);
        using var vae = VaeFactory.Create(config.Model, config.Loss, config.Data.Channels, config.Data.ImageSize);

        Assert.Equal(vae.parameters().Sum(p => p.numel()), (long)Specs.EstimateMemory(config).Parameters);
    }

    [Theory]
    [InlineData("architecture: mlp, channels: [256, 64], batch_norm: true")]
    [InlineData("architecture: mlp, channels: [100], latent_dim: 3")]
    [InlineData("channels: [8, 16], kernel_size: 5, upsample: nearest, batch_norm: true")]
    public void The_memory_estimate_counts_mlp_and_other_conv_models_exactly(string model)
    {
        var config = Specs.Parse($"experiment: x\nmodel: {{{model}}}\n", "spec.yaml").Plan.Base.Config;
        using var vae = VaeFactory.Create(config.Model, config.Loss, config.Data.Channels, config.Data.ImageSize);

        Assert.Equal(vae.parameters().Sum(p => p.numel()), (long)Specs.EstimateMemory(config).Parameters);
    }

    [Theory]
    [InlineData(3, 28, 2, Upsample.Transposed)]
    [InlineData(4, 28, 2, Upsample.Transposed)]
    [InlineData(5, 32, 3, Upsample.Transposed)]
    [InlineData(4, 28, 2, Upsample.Nearest)]
    [InlineData(3, 48, 4, Upsample.Nearest)]
    public void Conv_models_reconstruct_any_size_the_strides_divide(int kernel, int size, int layers, Upsample upsample)
    {
        var model = new ModelConfig(Architecture.Conv, Enumerable.Repeat(8, layers).ToArray(), kernel, true,
            Activation.Gelu, 4, upsample, OutputActivation.Sigmoid);
        using var vae = VaeFactory.Create(model, Loss, 3, size);

        Assert.Equal([2, 3, size, size], vae.call(rand(2, 3, size, size)).shape);
    }

    [Fact]
    public void Mlp_models_reconstruct_the_image_shape()
    {
        var model = new ModelConfig(Architecture.Mlp, [64, 32], 0, true, Activation.Silu, 8, Upsample.Nearest, OutputActivation.Linear);
        using var vae = VaeFactory.Create(model, Loss, 1, 28);

        Assert.Equal([5, 1, 28, 28], vae.call(rand(5, 1, 28, 28)).shape);
    }

    [Theory]
    [InlineData("kl-sweep", 32 * 14 * 14)] // the first transposed convolution's output
    [InlineData("notes-faces", 32 * 128 * 128)] // the last nearest upsampling, before the last convolution
    public void The_decoders_width_is_its_widest_layer_per_latent(string example, long width)
    {
        var config = ExampleSpecs.BaseTrial(example);
        using var vae = VaeFactory.Create(config.Model, config.Loss, config.Data.Channels, config.Data.ImageSize);
        vae.eval();

        Assert.Equal(width, vae.DecoderWidth);
    }

    [Fact]
    public void An_mlp_decoders_width_is_the_image_when_no_hidden_layer_is_wider()
    {
        var model = new ModelConfig(Architecture.Mlp, [64, 32], 0, true, Activation.Silu, 8, Upsample.Nearest, OutputActivation.Linear);
        using var vae = VaeFactory.Create(model, Loss, 1, 28);
        vae.eval();

        Assert.Equal(28 * 28, vae.DecoderWidth);
    }

    [Fact]
    public void A_config_that_spec_would_refuse_fails_an_assertion_at_once()
    {
        // Spec tells users how to fix it (Errors.fs); the engine only refuses to build it.
        var error = Assert.Throws<ArgumentException>(() => VaeFactory.Create(TestConfigs.Notes(), Loss, 3, 100));
        Assert.Contains("data.image_size divisible by 2^(layers of model.channels)", error.Message);
    }

    private static string[] Types(nn.Module module) => module.children().Select(c => c.GetType().Name).ToArray();
}
