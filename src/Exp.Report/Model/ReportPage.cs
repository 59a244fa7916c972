using Exp.Catalog;
using Exp.Tracking.Model;

namespace Exp.Report.Model;

/// <summary>
/// Everything one report page shows, decided from a <see cref="ReportSource"/> by
/// <see cref="ReportPageBuilder"/>: which trials in which order, which metrics, which value is
/// best, and what each chart and picture strip holds. Rendering only lays it out.
/// </summary>
public sealed partial record ReportPage(
    string Title,
    string Subtitle,
    string? Description,
    string? SpecText,
    string Summary,
    bool Live,
    IReadOnlyList<SweptParameter> Swept,
    IReadOnlyList<ReportMetric> Columns,
    IReadOnlyList<TrialRow> Rows,
    TradeOff? TradeOff,
    IReadOnlyList<ParameterEffect> Effects,
    IReadOnlyList<PictureColumn> Pictures,
    IReadOnlyList<Curves> EpochCurves,
    Curves? TrainingLoss,
    IReadOnlyList<ProposalAnswer> Proposals)
{
    /// <summary>One row per configuration, best mean first, when some configuration has several replicates; else empty.</summary>
    public IReadOnlyList<ConfigurationRow> Configurations { get; init; } = [];
}

/// <summary>A configuration of a sweep with replicates: its metrics as mean ± sd over the replicates that trained to their end.</summary>
/// <param name="Rank">By the mean held-out ELBO; configurations none of whose replicates finished come last.</param>
/// <param name="RunIds">Its replicates' runs; the first gives its colour.</param>
/// <param name="SweptValues">One per <see cref="ReportPage.Swept"/>.</param>
/// <param name="Cells">One per <see cref="ReportPage.Columns"/>.</param>
public sealed record ConfigurationRow(string Name, int Rank, int Finished, IReadOnlyList<string> RunIds, IReadOnlyList<string> SweptValues, IReadOnlyList<SpreadCell> Cells);

/// <summary>A metric over a configuration's finished replicates (null when none has it), and whether its mean is the best.</summary>
public sealed record SpreadCell(Spread? Spread, bool Best);

/// <summary>A config value that differs between the trials, and the short name its column gets.</summary>
public sealed record SweptParameter(string Key, string Title);

/// <summary>One row of the trial table.</summary>
/// <param name="Rank">1 for the best held-out ELBO among trials trained to their end; pruned, running, stopped and failed trials come after them.</param>
/// <param name="Completed">Trained to its end (<see cref="TrialSource.Completed"/>): only such a row can hold a best value.</param>
/// <param name="Pruning">Where and why the scheduler stopped it early; null when it did not.</param>
/// <param name="Cells">One per <see cref="ReportPage.Columns"/>.</param>
/// <param name="SweptValues">One per <see cref="ReportPage.Swept"/>; empty where the trial lacks the value.</param>
public sealed record TrialRow(
    string RunId,
    string TrialId,
    string Name,
    int Rank,
    RunStatus Status,
    bool Completed,
    string StatusText,
    string? Failure,
    TrialPruning? Pruning,
    IReadOnlyList<string> SweptValues,
    IReadOnlyList<MetricCell> Cells,
    TimeSpan? Duration);

/// <summary>A trial's last value of a metric (null when it has none), and whether it is the best among trials trained to their end.</summary>
public sealed record MetricCell(double? Value, bool Best);

/// <summary>One trial's line on a chart.</summary>
public sealed record Series(string RunId, string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>A chart of one metric with every trial overlaid, in rank order.</summary>
/// <param name="LogY">The values are positive and span at least two decades (a training loss falling from its first steps).</param>
public sealed record Curves(ReportMetric Metric, string XTitle, bool LogX, IReadOnlyList<Series> Series)
{
    public bool LogY => Axes.SpansDecades(Series.SelectMany(s => s.Y));
}

/// <summary>The trade-off of a KL sweep: reconstruction error against KL, one point per trial.</summary>
/// <param name="Points">In the order of the swept values, so a line through them follows the sweep.</param>
public sealed record TradeOff(IReadOnlyList<TradeOffPoint> Points)
{
    /// <summary>Whether a line joins the points in swept order: only along one swept parameter of a grid or list.</summary>
    public bool Joined { get; init; } = true;
}

/// <param name="Pruning">Set for a trial pruned early: its values are from fewer epochs than the others'.</param>
/// <param name="Kl">For a configuration with replicates, the mean over them; <see cref="KlSpread"/> and <see cref="MseSpread"/> give the error bars.</param>
public sealed record TradeOffPoint(string RunId, string Name, string Label, double Kl, double Mse, TrialPruning? Pruning)
{
    public Spread? KlSpread { get; init; }
    public Spread? MseSpread { get; init; }
}

/// <summary>A swept parameter against the held-out ELBO.</summary>
/// <param name="LogX">Sampled log-uniform, or (a grid or list) positive values that span at least two decades (<see cref="SearchViews.ScaleOf"/>).</param>
public sealed record ParameterEffect(SweptParameter Parameter, bool Numeric, bool LogX, IReadOnlyList<EffectPoint> Points)
{
    /// <summary>Whether a line joins the points in swept order: only along one swept parameter of a grid or list.</summary>
    public bool Joined { get; init; } = true;
}

/// <param name="Pruning">Set for a trial pruned early: its ELBO is from fewer epochs than the others'.</param>
/// <param name="Elbo">For a configuration with replicates, the mean over them; <see cref="ElboSpread"/> gives the error bar.</param>
public sealed record EffectPoint(string RunId, string Name, string Value, double Elbo, TrialPruning? Pruning)
{
    public Spread? ElboSpread { get; init; }
}

/// <summary>A trial's pictures, one column of the strip across the sweep (in swept order).</summary>
/// <param name="Epochs">Oldest first; the page shows the last one and keeps the others one click away.</param>
/// <param name="KlPerDimensionEpoch">The epoch of <paramref name="KlPerDimension"/> (the last one logged).</param>
public sealed record PictureColumn(
    string RunId,
    string Name,
    TrialPruning? Pruning,
    IReadOnlyList<EpochPictures> Epochs,
    string? SampleStd,
    LoggedImage? KlPerDimension,
    long? KlPerDimensionEpoch,
    LoggedImage? ProposalComparison);

/// <param name="Samples">Decodings of z ~ N(0, I), the prior.</param>
/// <param name="TemperedSamples">The same draws at <c>eval.sample_std</c> (<see cref="PictureColumn.SampleStd"/>).</param>
public sealed record EpochPictures(long Epoch, LoggedImage? Samples, LoggedImage? TemperedSamples, LoggedImage? Reconstructions);

/// <summary>
/// A trial's answer to the notes' question at the largest k of its proposal comparison: each estimator's mean squared
/// error against its own target, with one standard error over the images.
/// </summary>
/// <param name="ReconGap">E_q[log p(x|z)] - log p(x) by the references: how far K_r's target is from log p(x).</param>
public sealed record ProposalAnswer(string RunId, string Name, int K, MeanError Prior, MeanError Q, MeanError Recon, double ReconGap);

public sealed record MeanError(double Value, double StandardError);
