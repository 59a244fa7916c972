using System.Diagnostics;
using System.Globalization;
using Exp.Engine.Models;
using Exp.Engine.Native;
using Exp.Engine.Objective;
using TorchSharp;
using static TorchSharp.torch;

namespace Exp.Engine.Numerics;

/// <summary>One quantity of one layer, and how far its float32 value is from float64's.</summary>
/// <param name="Layer">The layer's name in the model (encoder.conv1, mu, decoder.conv3), or "model" for the whole.</param>
public sealed record LayerError(string Layer, string Kind, string Quantity, double Error)
{
    public bool Within => Error <= (Layer == NumericsCheck.WholeModelName ? NumericsCheck.WholeModelTolerance : NumericsCheck.Tolerance);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Layer} ({Kind}) {Quantity}: {Error:G2}");
}

/// <summary>What <see cref="NumericsCheck.Run"/> found, and what it cost.</summary>
public sealed record NumericsReport(IReadOnlyList<LayerError> Errors, int Images, TimeSpan Elapsed)
{
    public LayerError Worst => Errors.MaxBy(e => e.Error)!;

    public IReadOnlyList<LayerError> Failures => [.. Errors.Where(e => !e.Within).OrderByDescending(e => e.Error)];

    /// <summary>One line for a trial's log.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"Numerics check: one batch of {Images} images forward and backward in float32 against float64, {Errors.Count} quantities of {Errors.Select(e => e.Layer).Distinct().Count()} layers, " +
        $"largest relative error {Worst.Error:G2} ({Worst.Layer} {Worst.Quantity}), {Elapsed.TotalSeconds:F1} s");
}

/// <summary>
/// A gradient check of a trial's own model before it trains, like torch.autograd.gradcheck but of
/// the whole VAE in float32 against float64: the same weights, the same batch, the same noise eps.
/// Each layer is checked on its own, on the input it gets in the float32 model, so a wrong layer is
/// named rather than blamed on the layers its gradient flows into; then the whole model's loss and
/// gradient through the trial's objective. The model itself is left as it was: the check runs on
/// two copies (float32 on the trial's device, float64 on the CPU) and restores the global random
/// state that building them used.
/// </summary>
public static class NumericsCheck
{
    /// <summary>
    /// The largest relative error allowed of any layer's output or gradient. Correct float32 kernels
    /// are off by about 1e-7 to 1e-6 per layer; the wrong oneDNN kernels of <see cref="Native.CpuKernels"/> by 0.3 to 1.
    /// </summary>
    public const double Tolerance = 1e-3;

    /// <summary>
    /// The same for the whole model's loss and gradient, where float32's rounding compounds over the
    /// layers: through batch norm over a small batch a correct model measured 0.011 here. The layers
    /// are held to <see cref="Tolerance"/>; this catches what lies between them (the sampling, the loss).
    /// </summary>
    public const double WholeModelTolerance = 0.1;

    /// <summary>The name of the whole model's loss and gradient among the layers.</summary>
    public const string WholeModelName = "model";

    /// <summary>The check's batch: the first images of the training split, at most this many (its cost is per image).</summary>
    public const int MaxImages = 16;

    /// <param name="model">The trial's model, with its weights as they will train (after a resume, the resumed ones).</param>
    /// <param name="build">Builds a model of the same architecture (its weights are replaced by the model's).</param>
    /// <param name="images">The training images; the first <see cref="MaxImages"/> (at most the batch size) are used.</param>
    /// <exception cref="WrongNumericsException">A layer or the whole model is off by more than <see cref="Tolerance"/>.</exception>
    public static NumericsReport Run(Vae model, Func<Vae> build, TrainingObjective objective, Tensor images, int batchSize, int seed)
    {
        var clock = Stopwatch.StartNew();
        var count = (int)Math.Min(Math.Min(MaxImages, batchSize), images.shape[0]);
        var device = model.LogSigma.device;
        using var scope = NewDisposeScope();
        using var single = Copy(model, build, ScalarType.Float32, device);
        using var twin = Copy(model, build, ScalarType.Float64, CPU);
        using var generator = new Generator((ulong)seed, device);
        var x = images.narrow(0, 0, count).to(device);
        var eps = randn([count, model.LatentDim], device: device, generator: generator);

        var errors = new List<LayerError>();
        foreach (var (name, layer, input, output) in LayerInputs(single, x, eps))
        {
            var reference = (nn.Module<Tensor, Tensor>)Find(twin, name);
            var upstream = randn(output.shape, device: device, generator: generator);
            foreach (var (quantity, error) in LayerComparison.Compare(layer, reference, input, upstream))
                errors.Add(new LayerError(name, layer.GetType().Name, quantity, error));
        }
        errors.AddRange(WholeModel(single, twin, objective, x, eps));

        var report = new NumericsReport(errors, count, clock.Elapsed);
        if (report.Failures is { Count: > 0 } failures)
        {
            throw new WrongNumericsException(
                $"the numerics check refuses to train: in float32 against float64, {string.Join("; ", failures.Take(5))} " +
                string.Create(CultureInfo.InvariantCulture, $"(relative errors; the tolerance is {Tolerance:G1} per layer, {WholeModelTolerance:G1} for the whole model). ") +
                $"{(failures.FirstOrDefault(f => f.Layer != WholeModelName) ?? failures[0]).Layer} computes wrongly on this machine, so training would learn from wrong numbers. " +
                $"See the CPU convolutions line of the trial's log; train.numerics_check: false trains anyway.");
        }
        return report;
    }

    /// <summary>
    /// The model's convolutions on their own shapes, for <see cref="CpuKernels.EnsureCorrect"/>: each
    /// conv2d and conv_transpose2d on the CPU, in float32 against float64, on the input it gets in the
    /// model from random images of a batch of <see cref="MaxImages"/> (the kernels' correctness does not
    /// depend on the pixels, and the trial's data is not loaded when this runs).
    /// </summary>
    public static ModelConvolutions Convolutions(Vae model, Func<Vae> build, int seed) =>
        new(model.modules().Count(IsConvolution), () =>
        {
            using var scope = NewDisposeScope();
            using var single = Copy(model, build, ScalarType.Float32, CPU);
            using var twin = Copy(model, build, ScalarType.Float64, CPU);
            using var generator = new Generator((ulong)seed);
            var x = rand([MaxImages, .. model.ImageShape], generator: generator);
            var eps = randn([MaxImages, model.LatentDim], generator: generator);
            var worst = 0.0;
            foreach (var (name, layer, input, output) in LayerInputs(single, x, eps).Where(step => IsConvolution(step.Layer)))
            {
                var upstream = randn(output.shape, generator: generator);
                worst = LayerComparison.Compare(layer, (nn.Module<Tensor, Tensor>)Find(twin, name), input, upstream).Select(e => e.Error).Append(worst).Max();
            }
            return worst;
        });

    private static bool IsConvolution(nn.Module layer) => layer is TorchSharp.Modules.Conv2d or TorchSharp.Modules.ConvTranspose2d;

    /// <summary>A copy of the model with its weights, buffers and mode, in the given type and place.</summary>
    private static Vae Copy(Vae model, Func<Vae> build, ScalarType type, Device device)
    {
        // Building initialises weights from the global generator: keep the trial's random stream as it was.
        var state = torch.random.get_rng_state();
        Vae copy;
        try
        {
            copy = build();
        }
        finally
        {
            torch.random.set_rng_state(state);
        }
        copy.load_state_dict(model.state_dict());
        copy.to(type).to(device);
        copy.train(model.training);
        return copy;
    }

    /// <summary>
    /// Every layer of the float32 model in the order of the forward pass, with the input it gets
    /// there and its output: the encoder's layers from the images, both heads from the features, the
    /// decoder's layers from z = mu + exp(logvar / 2) * eps.
    /// </summary>
    private static List<(string Name, nn.Module<Tensor, Tensor> Layer, Tensor Input, Tensor Output)> LayerInputs(Vae model, Tensor x, Tensor eps)
    {
        var steps = new List<(string, nn.Module<Tensor, Tensor>, Tensor, Tensor)>();
        using var _ = no_grad();
        Tensor Step(string name, nn.Module<Tensor, Tensor> layer, Tensor input)
        {
            var output = layer.call(input);
            steps.Add((name, layer, input, output));
            return output;
        }
        var h = x;
        foreach (var (name, layer) in Children(model.Encoder, "encoder"))
            h = Step(name, layer, h);
        var mu = Step("mu", model.Mu, h);
        var logvar = Step("logvar", model.LogVar, h);
        h = Vae.Reparameterize(mu, logvar.clamp(Vae.MinLogVar, Vae.MaxLogVar), eps);
        foreach (var (name, layer) in Children(model.Decoder, "decoder"))
            h = Step(name, layer, h);
        return steps;
    }

    private static IEnumerable<(string Name, nn.Module<Tensor, Tensor> Layer)> Children(nn.Module sequence, string prefix) =>
        sequence.named_children().Select(c => ($"{prefix}.{c.name}", (nn.Module<Tensor, Tensor>)c.module));

    private static nn.Module Find(Vae model, string name) => name switch
    {
        "mu" => model.Mu,
        "logvar" => model.LogVar,
        _ => (name.StartsWith("encoder.", StringComparison.Ordinal) ? model.Encoder : model.Decoder)
            .named_children().Single(c => c.name == name[(name.IndexOf('.') + 1)..]).module,
    };

    /// <summary>The trial's loss and its gradient with respect to every parameter, float32 against float64.</summary>
    private static IEnumerable<LayerError> WholeModel(Vae single, Vae twin, TrainingObjective objective, Tensor x, Tensor eps)
    {
        (Tensor Loss, Tensor Gradient) Run(Vae model, ScalarType type, Device device)
        {
            model.zero_grad();
            var loss = objective.Loss(model, x.to(type, device), eps.to(type, device));
            loss.backward();
            var gradients = model.parameters().Where(p => p.grad is not null).Select(p => p.grad!.flatten().to(ScalarType.Float64, CPU)).ToArray();
            return (loss.detach(), cat(gradients));
        }
        var a = Run(single, ScalarType.Float32, single.LogSigma.device);
        // A loss that overflows float32 (a tiny sigma) is not a wrong kernel: the trainer stops at its
        // first step with the step and the value, which says more than a comparison with float64.
        if (!a.Loss.isfinite().item<bool>())
            return [];
        var b = Run(twin, ScalarType.Float64, CPU);
        return
        [
            new LayerError(WholeModelName, "Vae", "loss", LayerComparison.RelativeError(a.Loss, b.Loss)),
            new LayerError(WholeModelName, "Vae", "gradient of every parameter", LayerComparison.RelativeError(a.Gradient, b.Gradient)),
        ];
    }
}

/// <summary>The numbers a trial would train with are wrong on this machine: the trial refuses to train.</summary>
public sealed class WrongNumericsException(string message) : Exception(message);
