using Exp.Engine.Data;
using Exp.Engine.Models;
using Exp.Engine.Numerics;
using Exp.Engine.Objective;
using Exp.Engine.Tests.Training;
using Exp.Engine.Training;
using Exp.Spec;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Exp.Engine.Tests.Numerics;

public class NumericsCheckTests
{
    /// <summary>A stand-in for a wrong float32 kernel: in float32 it scales its input by 1.01, in float64 it is the identity.</summary>
    private sealed class WrongInFloat32() : Module<Tensor, Tensor>(nameof(WrongInFloat32))
    {
        public override Tensor forward(Tensor x) => x.dtype == ScalarType.Float32 ? x * 1.01 : x.alias();
    }

    /// <summary>A small fully connected VAE for 1x8x8 images whose decoder has <paramref name="middle"/> between its linear layers.</summary>
    private static Vae Model(Func<Module<Tensor, Tensor>> middle) =>
        new(Sequential(("flatten", Flatten()), ("linear0", Linear(64, 16)), ("act0", ReLU())), Linear(16, 4), Linear(16, 4),
            Sequential(("linear0", Linear(4, 16)), ("middle", middle()), ("act0", ReLU()), ("output", Linear(16, 64)), ("unflatten", Unflatten(1, [1, 8, 8]))),
            0.1, false, [1, 8, 8]);

    private static NumericsReport Check(Func<Module<Tensor, Tensor>> middle)
    {
        manual_seed(3);
        using var vae = Model(middle);
        using var images = SyntheticShapes.Draw(8, 8, 1, seed: 3);
        return NumericsCheck.Run(vae, () => Model(middle), new TrainingObjective(TestConfigs.Loss()), images, 8, seed: 3);
    }

    [Fact]
    public void A_layer_that_computes_wrongly_in_float32_refuses_the_trial_and_is_named()
    {
        var refusal = Assert.Throws<WrongNumericsException>(() => Check(() => new WrongInFloat32()));

        Assert.Contains("decoder.middle computes wrongly on this machine", refusal.Message);
        Assert.Contains("decoder.middle (WrongInFloat32) output: 0.01", refusal.Message);
        Assert.Contains("train.numerics_check: false", refusal.Message);
        // The layers around it compute right on the input they get: the check names the culprit only.
        Assert.DoesNotContain("decoder.linear0", refusal.Message);
        Assert.DoesNotContain("decoder.output", refusal.Message);
    }

    [Fact]
    public void A_correct_model_passes_with_every_layer_and_the_whole_model_checked()
    {
        var report = Check(() => Identity());

        Assert.Empty(report.Failures);
        Assert.InRange(report.Worst.Error, 0, 1e-5);
        Assert.Equal(8, report.Images);
        // Each layer's output, input gradient and weight gradients, and the whole model's loss and gradient.
        Assert.Contains(report.Errors, e => e is { Layer: "encoder.linear0", Quantity: "weight gradient" });
        Assert.Contains(report.Errors, e => e is { Layer: "logvar", Quantity: "input gradient" });
        Assert.Contains(report.Errors, e => e is { Layer: "decoder.output", Quantity: "bias gradient" });
        Assert.Contains(report.Errors, e => e is { Layer: NumericsCheck.WholeModelName, Quantity: "gradient of every parameter" });
        Assert.Contains("largest relative error", report.Describe());
    }

    [Fact]
    public void A_stale_NaN_in_a_gradient_counts_as_infinitely_wrong()
    {
        using var reference = tensor(new double[] { 1, 2, 3 });
        using var stale = tensor(new float[] { 1, float.NaN, 3 });
        using var close = tensor(new float[] { 1, 2, 3.000001f });

        Assert.Equal(double.PositiveInfinity, LayerComparison.RelativeError(stale, reference));
        Assert.InRange(LayerComparison.RelativeError(close, reference), 1e-8, 1e-6);
    }

    [Fact]
    public void The_check_changes_nothing_that_the_trial_trains()
    {
        TrialConfig Config(bool numericsCheck) => TestConfigs.Trial(data: TestConfigs.FashionMnist(284, 64), logEvery: 1,
            loss: TestConfigs.Loss(mode: SigmaMode.Learned), numericsCheck: numericsCheck);
        var checkedRun = new RecordingObserver();
        NumericsReport? report = null;
        var withCheck = new Trainer(Config(true), new TrainerOptions { Observer = checkedRun, NumericsChecked = r => report = r }).Run();
        var unchecked_ = new RecordingObserver();
        var without = new Trainer(Config(false), new TrainerOptions { Observer = unchecked_ }).Run();

        Assert.NotNull(report);
        Assert.Equal(unchecked_.Steps, checkedRun.Steps);
        Assert.Equal(without.Metrics, withCheck.Metrics);
    }
}
