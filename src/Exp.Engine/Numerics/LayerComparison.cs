using TorchSharp;
using static TorchSharp.torch;

namespace Exp.Engine.Numerics;

/// <summary>
/// One layer's float32 forward and backward against the same layer in float64 on the CPU, from
/// the same input, weights and upstream gradient: the reference the float32 kernels are held to.
/// </summary>
public static class LayerComparison
{
    /// <summary>
    /// ||actual - reference|| / ||reference||, computed in float64. A value that is not finite where
    /// the reference is counts as infinitely wrong (a stale NaN read by a kernel); equal tensors give 0.
    /// </summary>
    public static double RelativeError(Tensor actual, Tensor reference)
    {
        using var scope = NewDisposeScope();
        var a = actual.detach().to(ScalarType.Float64, CPU);
        var r = reference.detach().to(ScalarType.Float64, CPU);
        if (!a.isfinite().all().item<bool>())
            return r.isfinite().all().item<bool>() ? double.PositiveInfinity : (a.isnan() == r.isnan()).all().item<bool>() ? 0 : double.PositiveInfinity;
        var difference = (a - r).norm().item<double>();
        return difference == 0 ? 0 : difference / r.norm().item<double>();
    }

    /// <summary>
    /// The largest relative error of a functional layer <paramref name="layer"/>(input, weight): its
    /// output, and the gradients of input and weight for an upstream gradient of ones scaled by a
    /// fixed pattern (so that no symmetry hides an error).
    /// </summary>
    public static double Compare(Func<Tensor, Tensor, Tensor> layer, Tensor input, Tensor weight)
    {
        using var scope = NewDisposeScope();
        (Tensor Output, Tensor InputGradient, Tensor WeightGradient) Run(ScalarType type)
        {
            var x = input.detach().to(type).requires_grad_(true);
            var w = weight.detach().to(type).requires_grad_(true);
            var y = layer(x, w);
            var upstream = arange(y.numel(), dtype: type).remainder(7).sub(3).reshape(y.shape);
            y.backward([upstream]);
            return (y.detach(), x.grad!, w.grad!);
        }
        var single = Run(ScalarType.Float32);
        var reference = Run(ScalarType.Float64);
        return new[]
        {
            RelativeError(single.Output, reference.Output),
            RelativeError(single.InputGradient, reference.InputGradient),
            RelativeError(single.WeightGradient, reference.WeightGradient),
        }.Max();
    }

    /// <summary>
    /// Runs <paramref name="single"/> (float32, on any device) and <paramref name="twin"/> (the same
    /// layer with the same weights in float64 on the CPU) forward on <paramref name="input"/> and
    /// backward from <paramref name="upstream"/>, and gives the relative error of the output, of the
    /// input gradient and of each parameter's gradient. Both layers' gradients are overwritten.
    /// </summary>
    public static IReadOnlyList<(string Quantity, double Error)> Compare(nn.Module<Tensor, Tensor> single, nn.Module<Tensor, Tensor> twin, Tensor input, Tensor upstream)
    {
        using var scope = NewDisposeScope();
        var floating = input.is_floating_point();
        (Tensor Output, Tensor? InputGradient, Dictionary<string, Tensor?> ParameterGradients) Run(nn.Module<Tensor, Tensor> layer, ScalarType type, Device device)
        {
            layer.zero_grad();
            var x = input.detach().to(floating ? type : input.dtype, device);
            if (floating)
                x.requires_grad_(true);
            var y = layer.call(x);
            if (y.requires_grad)
                y.backward([upstream.detach().to(type, device)]);
            return (y.detach(), floating ? x.grad : null, layer.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad));
        }
        var a = Run(single, ScalarType.Float32, single.parameters().FirstOrDefault()?.device ?? input.device);
        var b = Run(twin, ScalarType.Float64, CPU);
        var errors = new List<(string, double)> { ("output", RelativeError(a.Output, b.Output)) };
        if (a.InputGradient is not null && b.InputGradient is not null)
            errors.Add(("input gradient", RelativeError(a.InputGradient, b.InputGradient)));
        foreach (var (name, gradient) in a.ParameterGradients)
        {
            if (gradient is not null && b.ParameterGradients[name] is { } reference)
                errors.Add(($"{name} gradient", RelativeError(gradient, reference)));
        }
        return errors;
    }
}
