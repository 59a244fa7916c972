using Exp.Catalog;
using Exp.Spec;
using Exp.Tracking.Model;

namespace Exp.Report.Model;

/// <summary>Decides what a report page shows. Pure: the same source gives the same page.</summary>
public static class ReportPageBuilder
{
    /// <summary>Training-loss curves keep at most this many points per trial, evenly strided, so 200 trials stay light.</summary>
    public const int MaxPointsPerSeries = 1000;

    public static ReportPage Build(ReportSource source) => Page(source) with { LeftOut = source.LeftOut };

    private static ReportPage Page(ReportSource source)
    {
        var trials = source.Trials;
        var swept = SweptParameters(trials);
        var columns = ReportMetrics.Table.Where(metric => trials.Any(t => Last(t, metric.Key) is not null)).ToList();
        // With replicates, configurations rank by their mean, each one's replicates together under its rank.
        var configurations = RankedConfigurations(trials);
        var replicated = Configurations.HaveReplicates(configurations);
        var ranked = replicated ? configurations.SelectMany(c => c.Replicates).ToList() : Ranked(trials);
        var configurationRank = configurations.SelectMany((c, index) => c.Replicates.Select(t => (t.RunId, Rank: index + 1))).ToDictionary(x => x.RunId, x => x.Rank);
        var rows = ranked.Select((trial, index) => Row(trial, replicated ? configurationRank[trial.RunId] : index + 1, swept, columns, trials, source.Now)).ToList();
        var sweptOrder = InSweptOrder(trials, swept);
        var design = SearchDesign.Of(source.SpecText);
        var search = SearchViews.Build(ranked, swept, design);
        // A line through the points follows the order of a sweep along one parameter; sampled points, or a grid's points
        // that differ in several parameters at once, have no such order.
        var joined = search is null;
        return new ReportPage(
            source.Title,
            source.Subtitle,
            string.IsNullOrWhiteSpace(source.Description) ? null : source.Description,
            source.SpecText,
            Summary(source),
            // A pruned run that a crash left RUNNING trains no more (the next exp run ends it): the page stays still.
            source.Status == RunStatus.Running || trials.Any(t => t.Status == RunStatus.Running && t.Pruning is null),
            swept,
            columns,
            rows,
            TradeOffOf(sweptOrder, swept, replicated) is { } tradeOff ? tradeOff with { Joined = joined } : null,
            swept.Select(parameter => Effect(parameter, sweptOrder, replicated, design)).OfType<ParameterEffect>().Select(e => e with { Joined = joined }).ToList(),
            sweptOrder.Select(Pictures).Where(column => column.Epochs.Count > 0 || column.KlPerDimension is not null || column.ProposalComparison is not null).ToList(),
            ReportMetrics.EpochCurves.Select(metric => EpochCurve(metric, ranked)).OfType<Curves>().ToList(),
            StepCurve(ReportMetrics.TrainLoss, ranked),
            ranked.Select(ProposalAnswerOf).OfType<ProposalAnswer>().ToList())
        {
            Configurations = replicated ? ConfigurationRows(configurations, swept, columns) : [],
            Design = design,
            Search = search,
            Configs = trials.ToDictionary(t => t.RunId, t => t.Params),
        };
    }

    /// <summary>The trials by configuration (replicates that differ only in their seed), best mean held-out ELBO over the finished replicates first.</summary>
    public static IReadOnlyList<Configuration<TrialSource>> RankedConfigurations(IReadOnlyList<TrialSource> trials) =>
        Configurations.RankedByMean(Configurations.Group(Ranked(trials), t => t.Group), t => Last(t, ReportMetrics.Ranking.Key), t => t.Completed, Goal.Maximize);

    private static IReadOnlyList<ConfigurationRow> ConfigurationRows(
        IReadOnlyList<Configuration<TrialSource>> configurations, IReadOnlyList<SweptParameter> swept, IReadOnlyList<ReportMetric> columns)
    {
        Spread? SpreadOf(Configuration<TrialSource> configuration, ReportMetric metric) => configuration.Of(t => Last(t, metric.Key), t => t.Completed);
        // Best by the mean, as the trial table stars the best value: only a mean that is a number can be.
        bool IsBest(Spread? spread, ReportMetric metric) =>
            metric.Goal != MetricGoal.None && spread is { Mean: var mean } && !double.IsNaN(mean)
            && !configurations.Any(other => SpreadOf(other, metric) is { Mean: var rival } && !double.IsNaN(rival) && metric.Beats(rival, mean));
        return configurations.Select((configuration, index) =>
        {
            var first = configuration.Replicates[0];
            return new ConfigurationRow(
                Configurations.NameOf(first.Name),
                index + 1,
                configuration.Replicates.Count(t => t.Completed),
                configuration.Replicates.Select(t => t.RunId).ToList(),
                swept.Select(p => first.Params.GetValueOrDefault(p.Key) ?? "").ToList(),
                columns.Select(metric => new SpreadCell(SpreadOf(configuration, metric), IsBest(SpreadOf(configuration, metric), metric))).ToList());
        }).ToList();
    }

    /// <summary>
    /// The replicates a configuration's point on a chart is the mean of: those trained to their end that have every value,
    /// or, while none has, those that have them (a running sweep's points move as its trials train).
    /// </summary>
    private static IReadOnlyList<TrialSource> Plotted(IEnumerable<TrialSource> replicates, params string[] keys)
    {
        var withValues = replicates.Where(t => keys.All(key => Last(t, key) is not null)).ToList();
        return withValues.Any(t => t.Completed) ? withValues.Where(t => t.Completed).ToList() : withValues;
    }

    /// <summary>
    /// Trials trained to their end by held-out ELBO, best first; then pruned ones, furthest first (a trial
    /// that reached a later rung was among the best at the earlier one, and ELBOs after different epochs
    /// do not compare); then running ones, then stopped and failed ones; no ELBO last in each group.
    /// </summary>
    public static IReadOnlyList<TrialSource> Ranked(IEnumerable<TrialSource> trials) =>
        trials
            .OrderBy(t => t.Completed ? 0 : t.Pruning is not null ? 1 : t.Status is RunStatus.Running or RunStatus.Scheduled ? 2 : 3)
            .ThenByDescending(t => t.Pruning?.Epoch ?? 0)
            .ThenByDescending(t => Last(t, ReportMetrics.Ranking.Key) ?? double.NegativeInfinity)
            .ThenBy(t => t.StartTime)
            .ToList();

    /// <summary>
    /// The config values that differ between trials (a value one trial lacks counts as differing),
    /// keyed as in the store; a derived param that repeats a written one trial for trial
    /// (loss.effective_beta of a sweep over kl_weight in beta mode) is left out: it would be a
    /// second column and a second chart of the same values.
    /// </summary>
    public static IReadOnlyList<SweptParameter> SweptParameters(IReadOnlyList<TrialSource> trials)
    {
        if (trials.Count < 2)
        {
            return [];
        }
        var differing = trials.SelectMany(t => t.Params.Keys).Distinct()
            .Where(key => trials.Select(t => t.Params.GetValueOrDefault(key)).Distinct().Count() > 1)
            .ToList();
        // What replicates of one configuration differ in (their seed) is no swept value: it is what their spread is over.
        var replicates = trials.GroupBy(t => t.Group).Where(g => g.Count() > 1).ToList();
        differing = differing.Where(key => !replicates.Any(g => g.Select(t => t.Params.GetValueOrDefault(key)).Distinct().Count() > 1)).ToList();
        var written = differing.Except(Trial.DerivedParamKeys).ToList();
        bool Repeats(string derived, string key) => trials.All(t => t.Params.GetValueOrDefault(derived) == t.Params.GetValueOrDefault(key));
        var keys = differing
            .Where(key => written.Contains(key) || !written.Any(other => Repeats(key, other)))
            .Order(StringComparer.Ordinal)
            .ToList();
        // The last part of the path names the column, unless two swept paths end alike.
        var last = keys.ToLookup(key => key[(key.LastIndexOf('.') + 1)..]);
        return keys.Select(key => new SweptParameter(key, last[key[(key.LastIndexOf('.') + 1)..]].Count() > 1 ? key : key[(key.LastIndexOf('.') + 1)..])).ToList();
    }

    public static double? Last(TrialSource trial, string key) =>
        trial.Metrics.TryGetValue(key, out var history) && history.Count > 0 ? history.MaxBy(point => point.Step).Value : null;

    private static TrialRow Row(TrialSource trial, int rank, IReadOnlyList<SweptParameter> swept, IReadOnlyList<ReportMetric> columns, IReadOnlyList<TrialSource> all, long now) =>
        new(
            trial.RunId,
            trial.TrialId,
            trial.Name,
            rank,
            trial.Status,
            trial.Completed,
            StatusText(trial),
            trial.Failure,
            trial.Pruning,
            swept.Select(p => trial.Params.GetValueOrDefault(p.Key) ?? "").ToList(),
            columns.Select(metric => new MetricCell(Last(trial, metric.Key), IsBest(trial, metric, all))).ToList(),
            trial.StartTime <= 0 ? null : TimeSpan.FromMilliseconds(Math.Max(0, (trial.EndTime ?? now) - trial.StartTime)));

    /// <summary>
    /// Best among trials trained to their end only: a running trial's value is provisional, a failed one's is not a
    /// result, and a pruned one's is from fewer epochs (nor may it outrank them by a metric that worsens with training).
    /// </summary>
    private static bool IsBest(TrialSource trial, ReportMetric metric, IReadOnlyList<TrialSource> all)
    {
        if (metric.Goal == MetricGoal.None || !trial.Completed || Last(trial, metric.Key) is not { } value)
        {
            return false;
        }
        return !all.Any(other => other.Completed && Last(other, metric.Key) is { } rival && metric.Beats(rival, value));
    }

    /// <summary>The run's status in words; "pruned at 1/3" (<see cref="TrialRecord.Shown"/>) for a trial pruned early, whose run says FINISHED.</summary>
    private static string StatusText(TrialSource trial)
    {
        var epochs = trial.Params.GetValueOrDefault(TrialRecord.EpochsParam);
        var epoch = Last(trial, ReportMetrics.Epoch);
        return trial.Pruning is { } pruning ? pruning.Status : trial.Status switch
        {
            RunStatus.Finished => "finished",
            RunStatus.Running => epoch is null ? "running" : $"running, epoch {epoch:0}/{epochs ?? "?"}",
            RunStatus.Scheduled => "waiting",
            RunStatus.Failed => "failed",
            RunStatus.Killed => "stopped",
            _ => trial.Status.ToString().ToLowerInvariant(),
        };
    }

    private static string Summary(ReportSource source)
    {
        var trials = source.Trials;
        // Runs left out for damage count among the trials: a page of 2 from a sweep of 3 says so.
        var total = trials.Count + source.LeftOut.Count;
        var parts = new List<string> { $"{total} trial{(total == 1 ? "" : "s")}" };
        void Count(Func<TrialSource, bool> which, string word)
        {
            var n = trials.Count(which);
            if (n > 0)
            {
                parts.Add($"{n} {word}");
            }
        }
        // A pruned trial's run is FINISHED too: it counts apart, never as finished.
        Count(t => t.Completed, "finished");
        Count(t => t.Pruning is not null, "pruned");
        Count(t => t.Pruning is null && t.Status == RunStatus.Running, "running");
        Count(t => t.Pruning is null && t.Status == RunStatus.Failed, "failed");
        Count(t => t.Pruning is null && t.Status == RunStatus.Killed, "stopped");
        if (source.LeftOut.Count > 0)
        {
            parts.Add($"{source.LeftOut.Count} left out (a damaged file, see below)");
        }
        return string.Join(", ", parts);
    }

    private static IReadOnlyList<TrialSource> InSweptOrder(IReadOnlyList<TrialSource> trials, IReadOnlyList<SweptParameter> swept)
    {
        IOrderedEnumerable<TrialSource> ordered = trials.OrderBy(_ => 0);
        foreach (var parameter in swept)
        {
            ordered = ordered.ThenBy(t => t.Params.GetValueOrDefault(parameter.Key) ?? "", SweptValueOrder.Instance);
        }
        return ordered.ThenBy(t => t.Name, StringComparer.Ordinal).ToList();
    }

    private static string Label(TrialSource trial, IReadOnlyList<SweptParameter> swept) =>
        swept.Count switch
        {
            0 => trial.Name,
            1 => trial.Params.GetValueOrDefault(swept[0].Key) ?? trial.Name,
            _ => string.Join(", ", swept.Select(p => $"{p.Title}={trial.Params.GetValueOrDefault(p.Key)}")),
        };

    /// <param name="replicated">One point per configuration, at the mean over its replicates, with ± one sd as error bars.</param>
    private static TradeOff? TradeOffOf(IReadOnlyList<TrialSource> trials, IReadOnlyList<SweptParameter> swept, bool replicated)
    {
        var kl = ReportMetrics.Kl.Key;
        var mse = ReportMetrics.Mse.Key;
        var plotted = trials.Where(t => Last(t, kl) is not null && Last(t, mse) is not null).ToList();
        // Points are labelled by the values that tell them apart, not by those only a trial left out differs in.
        var telling = swept.Where(p => plotted.Select(t => t.Params.GetValueOrDefault(p.Key)).Distinct().Count() > 1).ToList();
        var points = replicated
            ? Configurations.Group(plotted, t => t.Group)
                .Select(c => Plotted(c.Replicates, kl, mse))
                .Select(counted => (First: counted[0], Kl: Spread.Of(counted.Select(t => Last(t, kl)!.Value))!.Value, Mse: Spread.Of(counted.Select(t => Last(t, mse)!.Value))!.Value))
                .Select(p => new TradeOffPoint(p.First.RunId, Configurations.NameOf(p.First.Name), Label(p.First, telling), p.Kl.Mean, p.Mse.Mean, p.First.Pruning)
                {
                    KlSpread = p.Kl,
                    MseSpread = p.Mse,
                })
                .ToList()
            : plotted.Select(t => new TradeOffPoint(t.RunId, t.Name, Label(t, telling), Last(t, kl)!.Value, Last(t, mse)!.Value, t.Pruning)).ToList();
        return points.Count == 0 ? null : new TradeOff(points);
    }

    private static ParameterEffect? Effect(SweptParameter parameter, IReadOnlyList<TrialSource> trials, bool replicated, SearchDesign design)
    {
        var elbo = ReportMetrics.Ranking.Key;
        var plotted = trials.Where(t => t.Params.ContainsKey(parameter.Key) && Last(t, elbo) is not null).ToList();
        var points = replicated
            ? Configurations.Group(plotted, t => t.Group)
                .Select(c => Plotted(c.Replicates, elbo))
                .Select(counted => (First: counted[0], Elbo: Spread.Of(counted.Select(t => Last(t, elbo)!.Value))!.Value))
                .Select(p => new EffectPoint(p.First.RunId, Configurations.NameOf(p.First.Name), p.First.Params[parameter.Key], p.Elbo.Mean, p.First.Pruning)
                {
                    ElboSpread = p.Elbo,
                })
                .ToList()
            : plotted.Select(t => new EffectPoint(t.RunId, t.Name, t.Params[parameter.Key], Last(t, elbo)!.Value, t.Pruning)).ToList();
        // A value that is the same in every trial with an ELBO says nothing about the ELBO.
        if (points.Select(p => p.Value).Distinct().Count() < 2)
        {
            return null;
        }
        var scale = SearchViews.ScaleOf(parameter.Key, points.Select(p => p.Value), design);
        return new ParameterEffect(parameter, scale != AxisScale.Category, scale == AxisScale.Log, points);
    }

    /// <summary>A trial's pictures by epoch (<see cref="PictureEpochs"/>), and its last figures.</summary>
    private static PictureColumn Pictures(TrialSource trial)
    {
        LoggedImage? LastOf(string key) => trial.Images.Where(i => i.Key == key).MaxBy(i => i.Step);
        var perEpoch = trial.Images.Where(i => i.Key is ImageKeys.Samples or ImageKeys.TemperedSamples or ImageKeys.Reconstructions or ImageKeys.KlPerDimension).ToList();
        var epochOf = PictureEpochs.For(EpochOfStep(trial), perEpoch.Select(i => i.Step));
        var kl = LastOf(ImageKeys.KlPerDimension);
        var epochs = perEpoch
            .Where(i => i.Key is ImageKeys.Samples or ImageKeys.TemperedSamples or ImageKeys.Reconstructions)
            .GroupBy(i => epochOf(i.Step))
            .OrderBy(g => g.Key)
            .Select(g => new EpochPictures(g.Key, g.LastOrDefault(i => i.Key == ImageKeys.Samples), g.LastOrDefault(i => i.Key == ImageKeys.TemperedSamples), g.LastOrDefault(i => i.Key == ImageKeys.Reconstructions)))
            .ToList();
        return new PictureColumn(trial.RunId, trial.Name, trial.Pruning, epochs, trial.Params.GetValueOrDefault(ReportMetrics.SampleStdParam),
            kl, kl is null ? null : epochOf(kl.Step), LastOf(ImageKeys.ProposalComparison));
    }

    /// <summary>A held-out metric per epoch: each value is placed at the epoch logged at its step, or at its step if no epoch was.</summary>
    private static Curves? EpochCurve(ReportMetric metric, IReadOnlyList<TrialSource> trials)
    {
        var withMetric = trials.Where(t => t.Metrics.GetValueOrDefault(metric.Key) is { Count: > 0 }).ToList();
        if (withMetric.Count == 0)
        {
            return null;
        }
        var epochOfStep = withMetric.ToDictionary(t => t.RunId, EpochOfStep);
        var byEpoch = withMetric.All(t => t.Metrics[metric.Key].All(p => epochOfStep[t.RunId].ContainsKey(p.Step)));
        var series = withMetric.Select(t =>
        {
            var points = t.Metrics[metric.Key].OrderBy(p => p.Step).ToList();
            return new Series(t.RunId, t.Name, points.Select(p => byEpoch ? epochOfStep[t.RunId][p.Step] : p.Step).ToList(), points.Select(p => p.Value).ToList());
        }).ToList();
        return new Curves(metric, byEpoch ? "epoch" : "step", false, series);
    }

    /// <summary>The epoch each step ended, from the epoch metric logged there.</summary>
    internal static Dictionary<long, double> EpochOfStep(TrialSource trial) =>
        (trial.Metrics.GetValueOrDefault(ReportMetrics.Epoch) ?? []).GroupBy(p => p.Step).ToDictionary(g => g.Key, g => g.Last().Value);

    private static Curves? StepCurve(ReportMetric metric, IReadOnlyList<TrialSource> trials)
    {
        var series = trials
            .Where(t => t.Metrics.GetValueOrDefault(metric.Key) is { Count: > 0 })
            .Select(t =>
            {
                var points = Thin(t.Metrics[metric.Key].OrderBy(p => p.Step).ToList());
                return new Series(t.RunId, t.Name, points.Select(p => (double)p.Step).ToList(), points.Select(p => p.Value).ToList());
            })
            .ToList();
        return series.Count == 0 ? null : new Curves(metric, "step", false, series);
    }

    /// <summary>The trial's proposal comparison at its largest k (proposal/{estimator}/mse/k{k} and mse_se), or null when it logged none.</summary>
    private static ProposalAnswer? ProposalAnswerOf(TrialSource trial)
    {
        var prefix = Metrics.Proposal(ProposalEstimators.Q, "mse", 0)[..^1];
        var ks = trial.Metrics.Keys
            .Where(key => key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(key => int.TryParse(key[prefix.Length..], out var k) ? k : 0)
            .Where(k => k > 0)
            .ToList();
        if (ks.Count == 0)
        {
            return null;
        }
        var largest = ks.Max();
        MeanError? Error(string estimator) =>
            Last(trial, Metrics.Proposal(estimator, "mse", largest)) is { } mse && Last(trial, Metrics.Proposal(estimator, "mse_se", largest)) is { } se
                ? new MeanError(mse, se)
                : null;
        if (Error(ProposalEstimators.Prior) is not { } prior || Error(ProposalEstimators.Q) is not { } q
            || Error(ProposalEstimators.Recon) is not { } recon
            || Last(trial, Metrics.ProposalReference(ProposalEstimators.Q)) is not { } reference
            || Last(trial, Metrics.ProposalReference(ProposalEstimators.Recon)) is not { } reconReference)
        {
            return null;
        }
        return new ProposalAnswer(trial.RunId, trial.Name, largest, prior, q, recon, reconReference - reference);
    }

    private static IReadOnlyList<MetricPoint> Thin(IReadOnlyList<MetricPoint> points)
    {
        if (points.Count <= MaxPointsPerSeries)
        {
            return points;
        }
        // One place is kept for the last point, which the stride may skip.
        var stride = (int)Math.Ceiling(points.Count / (double)(MaxPointsPerSeries - 1));
        return points.Where((_, index) => index % stride == 0 || index == points.Count - 1).ToList();
    }
}
