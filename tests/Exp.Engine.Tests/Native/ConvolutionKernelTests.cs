using Exp.Engine.Data;
using Exp.Engine.Models;
using Exp.Engine.Native;
using Exp.Engine.Numerics;
using Exp.Engine.Objective;
using Exp.Spec;
using TorchSharp;
using static TorchSharp.torch;

namespace Exp.Engine.Tests.Native;

/// <summary>
/// The regression test of libtorch's wrong oneDNN convolutions: every kind of layer the model
/// factory builds, with 1 to 64 channels on either side, computes in float32 what it computes in
/// float64 (forward, input gradient, weight gradients), as this process trains after the guard.
/// With the guard off (EXP_CPU_KERNELS=off) it fails every time on an AVX2 or AVX-512 CPU: the
/// wrong kernels are off by 0.3 to 1 in value, whatever stale memory they read.
/// </summary>
public class ConvolutionKernelTests
{
    public static TheoryData<int> ChannelCounts => [1, 3, 8, 15, 16, 17, 64];

    /// <summary>
    /// Models whose layers take <paramref name="channels"/> in and out: conv (kernels 4 and 3, stride
    /// 2), transposed conv, nearest upsampling + conv, batch norm, linear (the heads, the decoder's
    /// first layer, and a fully connected model's hidden layers).
    /// </summary>
    private static IEnumerable<(string Name, ModelConfig Model, int ImageChannels)> Models(int channels) =>
    [
        ("kl-sweep's (transposed, kernel 4)", new(Architecture.Conv, [channels, 16], 4, false, Activation.Relu, 8, Upsample.Transposed, OutputActivation.Sigmoid), 1),
        ("transposed, kernel 3, batch norm", new(Architecture.Conv, [16, channels], 3, true, Activation.LeakyRelu, 8, Upsample.Transposed, OutputActivation.Linear), 3),
        ("the notes' (nearest + conv, batch norm)", new(Architecture.Conv, [channels, 16], 3, true, Activation.LeakyRelu, 8, Upsample.Nearest, OutputActivation.Linear), 3),
        ("fully connected, batch norm", new(Architecture.Mlp, [channels], 3, true, Activation.Relu, 8, Upsample.Transposed, OutputActivation.Sigmoid), 1),
    ];

    [Theory]
    [MemberData(nameof(ChannelCounts))]
    public void Every_layer_the_factory_builds_computes_in_float32_what_it_computes_in_float64(int channels)
    {
        CpuKernels.EnsureCorrect(); // what a trial does before its first step
        var loss = TestConfigs.Loss();
        var failures = new List<string>();
        var kinds = new HashSet<string>();
        foreach (var (name, model, imageChannels) in Models(channels))
        {
            using var scope = NewDisposeScope();
            manual_seed(channels);
            using var vae = VaeFactory.Create(model, loss, imageChannels, 16);
            var images = SyntheticShapes.Draw(8, 16, imageChannels, seed: channels);
            try
            {
                var report = NumericsCheck.Run(vae, () => VaeFactory.Create(model, loss, imageChannels, 16), new TrainingObjective(loss), images, 8, seed: channels);
                kinds.UnionWith(report.Errors.Select(e => e.Kind));
            }
            catch (WrongNumericsException wrong)
            {
                failures.Add($"{name}: {wrong.Message}");
            }
        }

        Assert.True(failures.Count == 0, $"{CpuKernels.EnsureCorrect().Describe()}\n{string.Join("\n", failures)}");
        string[] built = ["Conv2d", "ConvTranspose2d", "Upsample", "BatchNorm2d", "BatchNorm1d", "Linear"];
        Assert.True(kinds.IsSupersetOf(built), $"checked {string.Join(", ", kinds)}; expected {string.Join(", ", built)}");
    }

    [Fact]
    public void The_guard_settles_on_correct_kernels_and_says_which()
    {
        var choice = CpuKernels.EnsureCorrect();

        Assert.True(choice.Correct, choice.Describe());
        Assert.InRange(choice.ProbeError, 0, CpuKernels.Tolerance);
        Assert.Contains(choice.Tag, new[] { "onednn-native", "onednn-isa-avx", "onednn-off" }.Concat([$"onednn-isa-{CpuKernels.UsersIsa(Environment.GetEnvironmentVariable)?.ToLowerInvariant()}"]));
        Assert.Same(choice, CpuKernels.EnsureCorrect());
    }

    private static readonly CpuKernels.Choice WrongForSomeShapes = new(CpuKernels.Setting.IsaCapped, "AVX", 0.2, "exp set ONEDNN_MAX_CPU_ISA=AVX");

    [Fact]
    public void Where_the_fixed_probe_is_wrong_a_model_whose_own_convolutions_are_all_exact_keeps_oneDNN()
    {
        var probed = 0;

        var kept = CpuKernels.KeptFor(WrongForSomeShapes, new ModelConvolutions(4, () => { probed++; return 3.9e-7; }));

        Assert.NotNull(kept);
        Assert.Equal(1, probed);
        Assert.True(kept.Correct);
        Assert.Equal("onednn-isa-avx", kept.Tag);
        Assert.Equal(3.9e-7, kept.ModelError);
        Assert.Contains("off by 0.2 for some of the probed shapes on this CPU, but exact for each of this model's 4 convolutions, so it is kept for them", kept.Describe());
        Assert.Contains("largest relative error 3.9E-07 of the model's own", kept.Describe());
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(2e-4)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    public void A_model_with_one_wrong_convolution_does_not_keep_oneDNN(double error)
    {
        Assert.Null(CpuKernels.KeptFor(WrongForSomeShapes, new ModelConvolutions(4, () => error)));
        Assert.Null(CpuKernels.KeptFor(WrongForSomeShapes, null));
    }

    [Fact]
    public void The_model_probe_runs_each_convolution_of_the_kl_sweep_model_in_float32_against_float64()
    {
        CpuKernels.EnsureCorrect();
        var loss = TestConfigs.Loss();
        var model = new ModelConfig(Architecture.Conv, [32, 64], 4, false, Activation.Relu, 16, Upsample.Transposed, OutputActivation.Sigmoid);
        manual_seed(1);
        using var vae = VaeFactory.Create(model, loss, 1, 28);
        var weights = vae.parameters().Select(p => p.clone()).ToList();
        var state = torch.random.get_rng_state();

        var probe = NumericsCheck.Convolutions(vae, () => VaeFactory.Create(model, loss, 1, 28), seed: 1);
        var error = probe.LargestError();

        Assert.Equal(4, probe.Layers); // two conv2d, two conv_transpose2d
        // Rounded float32 against float64: not zero (so each was computed twice), and within the tolerance on kernels the guard chose.
        Assert.InRange(error, 1e-9, CpuKernels.Tolerance);
        Assert.All(vae.parameters().Zip(weights), pair => Assert.True((pair.First == pair.Second).all().item<bool>()));
        Assert.True((torch.random.get_rng_state() == state).all().item<bool>(), "the probe left the global random stream as it was");
        var mlp = new ModelConfig(Architecture.Mlp, [32], 3, false, Activation.Relu, 8, Upsample.Transposed, OutputActivation.Sigmoid);
        using var fullyConnected = VaeFactory.Create(mlp, loss, 1, 28);
        Assert.Equal(0, NumericsCheck.Convolutions(fullyConnected, () => VaeFactory.Create(mlp, loss, 1, 28), seed: 1).Layers);
    }

    [Theory]
    [InlineData(null, CpuKernels.Request.Guard)]
    [InlineData("auto", CpuKernels.Request.Guard)]
    [InlineData("off", CpuKernels.Request.Unguarded)]
    [InlineData(" OFF ", CpuKernels.Request.Unguarded)]
    [InlineData("onednn-off", CpuKernels.Request.OneDnnOff)]
    public void EXP_CPU_KERNELS_chooses_the_guard(string? value, CpuKernels.Request expected)
    {
        Assert.Equal(expected, CpuKernels.Decide(name => name == CpuKernels.Variable ? value : null));
    }

    [Fact]
    public void An_unknown_EXP_CPU_KERNELS_names_the_settings()
    {
        var error = Assert.Throws<ArgumentException>(() => CpuKernels.Decide(name => name == CpuKernels.Variable ? "avx" : null));

        Assert.Contains("auto (the default), onednn-off or off", error.Message);
    }

    [Fact]
    public void A_users_own_instruction_set_cap_is_found_under_either_name()
    {
        Assert.Equal("AVX2", CpuKernels.UsersIsa(name => name == "DNNL_MAX_CPU_ISA" ? "AVX2" : null));
        Assert.Equal("SSE41", CpuKernels.UsersIsa(name => name switch { "ONEDNN_MAX_CPU_ISA" => "SSE41", "DNNL_MAX_CPU_ISA" => "AVX2", _ => null }));
        Assert.Null(CpuKernels.UsersIsa(_ => null));
    }
}
