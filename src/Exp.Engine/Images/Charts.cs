using System.Globalization;
using Exp.Engine.Objective;
using ScottPlot;

namespace Exp.Engine.Images;

/// <summary>The diagnostic figures a trial logs, drawn with ScottPlot as PNG.</summary>
public static class Charts
{
    private const int Width = 800;
    private const int Height = 450;

    /// <summary>
    /// One bar per latent dimension: its held-out KL in nats per image. Dimensions near 0 are
    /// unused (collapsed to the prior); the active ones carry what the decoder knows of x.
    /// </summary>
    public static byte[] KlPerDimension(double[] kl, int epoch, double activeUnits)
    {
        var plot = new Plot();
        var bars = plot.Add.Bars(kl);
        bars.Color = Colors.SteelBlue;
        foreach (var bar in bars.Bars)
            bar.LineWidth = 0;
        plot.Title($"KL per latent dimension, epoch {epoch}: {kl.Sum():F1} nats, {activeUnits:F0} of {kl.Length} units active");
        plot.XLabel("latent dimension");
        plot.YLabel("KL(q(z_u|x) || N(0,1)), nats per image");
        plot.Axes.Margins(bottom: 0);
        plot.Axes.SetLimitsX(-0.75, kl.Length - 0.25);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>
    /// The proposal comparison in two panels against k (log axis). Left: each estimator's mean
    /// squared error against its own target (log axis); right: its bias, on a signed log axis (the
    /// prior's runs to thousands of nats, q's to a few). Error bars: one standard error over the images.
    /// </summary>
    public static byte[] ProposalComparison(ProposalComparisonResult result)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        var (mse, bias) = (multiplot.GetPlot(0), multiplot.GetPlot(1));
        var x = result.Ks.Select(k => Math.Log10(k)).ToArray();
        var labels = result.Ks.Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray();
        foreach (var (name, errors) in result.Estimators)
        {
            var (color, label) = Estimator(name);
            // log10 of the MSE, its error bar drawn between log10(mse - se) and log10(mse + se).
            var mean = errors.Mse.Select(Math.Log10).ToArray();
            var up = errors.Mse.Zip(errors.MseSe, (m, s) => Math.Log10(m + s) - Math.Log10(m)).ToArray();
            var down = errors.Mse.Zip(errors.MseSe, (m, s) => Math.Log10(m) - Math.Log10(Math.Max(m - s, m * 1e-3))).ToArray();
            Series(mse, x, mean, down, up, color, label);
            var signed = errors.Bias.Select(SignedLog).ToArray();
            Series(bias, x, signed,
                errors.Bias.Zip(errors.BiasSe, (b, s) => SignedLog(b) - SignedLog(b - s)).ToArray(),
                errors.Bias.Zip(errors.BiasSe, (b, s) => SignedLog(b + s) - SignedLog(b)).ToArray(), color, label);
        }
        foreach (var plot in new[] { mse, bias })
        {
            plot.Axes.Bottom.SetTicks(x, labels);
            plot.XLabel("n = k, samples per estimate");
        }
        var logs = result.Estimators.SelectMany(e => e.Errors.Mse).Where(m => m > 0).Select(Math.Log10).ToList();
        var decades = logs.Count == 0 ? [0] : Enumerable.Range((int)Math.Floor(logs.Min()) - 1, (int)Math.Ceiling(logs.Max()) - (int)Math.Floor(logs.Min()) + 2).ToArray();
        mse.Axes.Left.SetTicks(decades.Select(d => (double)d).ToArray(), decades.Select(d => $"1e{d}").ToArray());
        mse.Title("mean squared error vs own target");
        mse.YLabel("MSE, nats² (log scale)");
        // One legend for both panels (same colours), between the prior's errors and q's, where they leave room.
        mse.ShowLegend(Alignment.MiddleRight);
        var ticks = new[] { -10000.0, -1000, -100, -10, -1, 0, 1, 10, 100 };
        bias.Axes.Left.SetTicks(ticks.Select(SignedLog).ToArray(), ticks.Select(t => t.ToString("0", CultureInfo.InvariantCulture)).ToArray());
        bias.Title($"bias vs own target ({result.Images} images × {result.Repeats} repeats; targets: {result.ReferenceK} samples of q)");
        bias.YLabel("bias, nats (signed log scale)");
        bias.Add.HorizontalLine(0, 1, Colors.Gray, LinePattern.Dotted);
        bias.HideLegend();
        return multiplot.Render(2 * Width, Height).GetImageBytes(ImageFormat.Png);
    }

    private static (Color Color, string Label) Estimator(string name) => name switch
    {
        ProposalComparisonResult.PriorName => (Colors.OrangeRed, "K_l: z ~ prior, vs log p(x)"),
        ProposalComparisonResult.QName => (Colors.SteelBlue, "IWAE: z ~ q(z|x), vs log p(x)"),
        _ => (Colors.SeaGreen, "K_r: z ~ q(z|x), vs E_q[log p(x|z)]"),
    };

    /// <summary>sign(v) log10(1 + |v|): a log scale for values of either sign.</summary>
    private static double SignedLog(double value) => Math.Sign(value) * Math.Log10(1 + Math.Abs(value));

    private static void Series(Plot plot, double[] x, double[] y, double[] down, double[] up, Color color, string label)
    {
        var line = plot.Add.Scatter(x, y);
        line.Color = color;
        line.LegendText = label;
        line.MarkerSize = 7;
        var errors = plot.Add.ErrorBar(x, y, up);
        errors.YErrorNegative = down;
        errors.Color = color;
    }
}
