using System.Globalization;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Exp.Engine.Models;

/// <summary>
/// The layers of a <see cref="Vae"/> in order, with the shape each outputs for one image and its
/// parameter count, found by running a small batch through it.
/// </summary>
public static class ModelSummary
{
    /// <summary>The summary of the model a trial would train (built on the CPU, for images of the configured shape).</summary>
    public static string Describe(Exp.Spec.TrialConfig config)
    {
        using var vae = VaeFactory.Create(config.Model, config.Loss, config.Data.Channels, config.Data.ImageSize);
        return Describe(vae);
    }

    public static string Describe(Vae vae)
    {
        var rows = new List<(string Name, string Type, string Shape, long Parameters)>();
        var wasTraining = vae.training;
        vae.eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var device = vae.LogSigma.device;
            var x = zeros([2, .. vae.ImageShape], device: device);
            x = Run("encoder", vae.Encoder, x, rows);
            rows.Add(Row("mu", vae.Mu, vae.Mu.call(x)));
            rows.Add(Row("logvar", vae.LogVar, vae.LogVar.call(x)));
            Run("decoder", vae.Decoder, zeros(2, vae.LatentDim, device: device), rows);
            rows.Add(("log_sigma", vae.LogSigma.requires_grad ? "learned" : "fixed", "[]", 1));
        }
        finally
        {
            vae.train(wasTraining);
        }

        var all = vae.parameters().Sum(p => p.numel());
        var trained = vae.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        var nameWidth = rows.Max(r => r.Name.Length);
        var typeWidth = rows.Max(r => r.Type.Length);
        var shapeWidth = rows.Max(r => r.Shape.Length);
        var text = new StringBuilder();
        text.AppendLine($"Vae for {string.Join("x", vae.ImageShape)} images, latent {vae.LatentDim}");
        foreach (var (name, type, shape, parameters) in rows)
            text.AppendLine($"{name.PadRight(nameWidth)}  {type.PadRight(typeWidth)}  {shape.PadRight(shapeWidth)}  {Count(parameters),12}");
        text.AppendLine($"{Count(all)} parameters, {Count(trained)} trained");
        return text.ToString();
    }

    private static Tensor Run(string prefix, nn.Module<Tensor, Tensor> sequence, Tensor x,
        List<(string, string, string, long)> rows)
    {
        foreach (var (name, child) in sequence.named_children())
        {
            x = ((nn.Module<Tensor, Tensor>)child).call(x);
            rows.Add(Row($"{prefix}.{name}", child, x));
        }
        return x;
    }

    private static (string, string, string, long) Row(string name, nn.Module module, Tensor output) =>
        (name, module.GetType().Name, "[" + string.Join(", ", output.shape.Skip(1)) + "]", module.parameters().Sum(p => p.numel()));

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
