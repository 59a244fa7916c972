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
    /// The estimate of log p(x) against k (log axis) with q(z|x) and with the prior as the
    /// proposal: the mean over repeats with error bars of one standard deviation.
    /// </summary>
    public static byte[] ProposalComparison(IReadOnlyList<ProposalEstimate> estimates, int images, int repeats)
    {
        var plot = new Plot();
        var x = estimates.Select(e => Math.Log10(e.K)).ToArray();
        Series(plot, x, estimates.Select(e => e.QMean).ToArray(), estimates.Select(e => e.QStd).ToArray(), Colors.SteelBlue, "proposal q(z|x)");
        Series(plot, x, estimates.Select(e => e.PriorMean).ToArray(), estimates.Select(e => e.PriorStd).ToArray(), Colors.OrangeRed, "proposal p(z), the prior");
        plot.Axes.Bottom.SetTicks(x, estimates.Select(e => e.K.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Title($"Importance-sampling estimates of log p(x): {images} held-out images, {repeats} repeats");
        plot.XLabel("k, samples per estimate (log scale)");
        plot.YLabel("log p(x) estimate, nats per image");
        plot.ShowLegend(Alignment.LowerRight);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    private static void Series(Plot plot, double[] x, double[] mean, double[] std, Color color, string label)
    {
        var line = plot.Add.Scatter(x, mean);
        line.Color = color;
        line.LegendText = label;
        line.MarkerSize = 7;
        var errors = plot.Add.ErrorBar(x, mean, std);
        errors.Color = color;
    }
}
