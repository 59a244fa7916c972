using Exp.Engine.Models;
using Exp.Spec;

namespace Exp.Engine.Tests.Models;

/// <summary>The FLOP count of a model's layers against counts by hand from the architecture.</summary>
public class ModelFlopsTests
{
    [Fact]
    public void The_kl_sweep_model_costs_what_its_layers_cost_by_hand()
    {
        using var vae = VaeFactory.Create(TestConfigs.SmallConv(), TestConfigs.Loss(), channels: 1, imageSize: 28);

        var count = ModelFlops.Of(vae);

        // Multiply-adds per image: a stride-2 convolution writes out x (size/2)^2 outputs, each a
        // dot product of in x 4 x 4; a transposed one scatters each of its in x size^2 inputs through out x 4 x 4 weights.
        (string, long, bool)[] byHand =
        [
            ("encoder.conv0", 32 * 14 * 14 * (1 * 4 * 4), false),
            ("encoder.conv1", 64 * 7 * 7 * (32 * 4 * 4), true),
            ("mu", 64 * 7 * 7 * 16, true),
            ("logvar", 64 * 7 * 7 * 16, true),
            ("decoder.linear", 16 * 64 * 7 * 7, true),
            ("decoder.deconv0", 64 * 7 * 7 * (32 * 4 * 4), true),
            ("decoder.deconv1", 32 * 14 * 14 * (1 * 4 * 4), true),
        ];
        Assert.Equal(byHand, count.Layers.Select(l => (l.Name, l.MultiplyAdds, l.InputGradient)));
        var forward = 2 * byHand.Sum(l => l.Item2);
        Assert.Equal(forward, count.Forward);
        // Backward: every weight gradient and every input gradient but the first layer's (it reads the data).
        Assert.Equal(2 * forward - 2 * 32 * 14 * 14 * 16, count.Backward);
        Assert.Equal(21_174_272, count.Training);
    }

    [Fact]
    public void The_notes_model_counts_its_size_keeping_convolutions_after_upsampling_and_skips_batch_norm()
    {
        var notes = ExampleSpecs.BaseTrial("notes-faces");
        using var vae = VaeFactory.Create(notes.Model, notes.Loss, notes.Data.Channels, notes.Data.ImageSize);

        var count = ModelFlops.Of(vae);

        long Conv(long input, long output, long outputSize) => output * outputSize * outputSize * input * 3 * 3;
        long[] byHand =
        [
            Conv(3, 32, 64), Conv(32, 64, 32), Conv(64, 64, 16), Conv(64, 64, 8),
            4096 * 1024, 4096 * 1024,
            1024 * 4096,
            Conv(64, 64, 16), Conv(64, 64, 32), Conv(64, 32, 64), Conv(32, 3, 128),
        ];
        Assert.Equal(byHand, count.Layers.Select(l => l.MultiplyAdds));
        Assert.Equal(["Conv2d", "Conv2d", "Conv2d", "Conv2d", "Linear", "Linear", "Linear", "Conv2d", "Conv2d", "Conv2d", "Conv2d"],
            count.Layers.Select(l => l.Kind));
        Assert.Equal(2 * byHand.Sum() * 3 - 2 * Conv(3, 32, 64), count.Training);
    }

    [Fact]
    public void A_fully_connected_model_counts_its_linear_layers()
    {
        var model = new ModelConfig(Architecture.Mlp, [64], 4, true, Activation.Relu, 8, Upsample.Transposed, OutputActivation.Sigmoid);
        using var vae = VaeFactory.Create(model, TestConfigs.Loss(), channels: 1, imageSize: 28);

        var count = ModelFlops.Of(vae);

        long[] byHand = [784 * 64, 64 * 8, 64 * 8, 8 * 64, 64 * 784];
        Assert.Equal(byHand, count.Layers.Select(l => l.MultiplyAdds));
        // Forward, weight gradients, and input gradients of all but the first layer.
        Assert.Equal(2 * byHand.Sum() + 2 * byHand.Sum() + 2 * (byHand.Sum() - 784 * 64), count.Training);
    }
}
