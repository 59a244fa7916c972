using Exp.Engine.Images;
using Exp.Report.Model;
using Exp.Spec;
using Exp.Tracking.Model;
using static Exp.Report.Tests.Model.TrialSources;

namespace Exp.Report.Tests.Model;

public sealed class ReportPageBuilderTests
{
    private static readonly string Elbo = ReportMetrics.Elbo.Key;
    private static readonly string Bpd = ReportMetrics.BitsPerDim.Key;
    private static readonly string Mse = ReportMetrics.Mse.Key;
    private static readonly string Kl = ReportMetrics.Kl.Key;

    [Fact]
    public void Finished_trials_rank_by_held_out_elbo_then_running_then_failed_ones_with_their_reason()
    {
        var page = ReportPageBuilder.Build(Source(
            Trial("failed", RunStatus.Failed, KlWeight("0.5"), new() { [Elbo] = [900.0] }, failure: "loss became NaN at step 7"),
            Trial("low", parameters: KlWeight("0.1"), perEpoch: new() { [Elbo] = [10.0, 20.0] }),
            Trial("running", RunStatus.Running, KlWeight("0.3"), new() { [Elbo] = [500.0] }),
            Trial("high", parameters: KlWeight("0.2"), perEpoch: new() { [Elbo] = [30.0, 25.0] }),
            Trial("no-elbo", parameters: KlWeight("0.4"))));

        Assert.Equal(["high", "low", "no-elbo", "running", "failed"], page.Rows.Select(r => r.Name));
        Assert.Equal([1, 2, 3, 4, 5], page.Rows.Select(r => r.Rank));
        Assert.Equal("loss became NaN at step 7", page.Rows[^1].Failure);
        Assert.Equal("failed", page.Rows[^1].StatusText);
        Assert.Equal("running, epoch 1/4", page.Rows[3].StatusText);
        Assert.Null(page.Rows[0].Failure);
        Assert.True(page.Live);
    }

    [Fact]
    public void Pruned_trials_say_where_they_stopped_come_after_trained_ones_count_apart_and_are_never_best_yet_keep_their_results()
    {
        // An ASHA sweep to 3 epochs: a pruned run is FINISHED where it stopped. One pruned at epoch 1 has a better ELBO and
        // reconstruction error there than the trained trials at 3 (a metric may worsen with training): it must still not be best.
        const string why = "stopped at 1 of 3 epochs: eval/elbo -280 was not in the top 1/3 of the trials there";
        var page = ReportPageBuilder.Build(Source(
            Trial("pruned-early", parameters: KlWeight("0.4", epochs: 3), perEpoch: new() { [Elbo] = [-280.0], [Mse] = [0.01], [Kl] = [2.0] }, pruned: why, images: Pictures("pruned-early", 1)),
            Trial("trained-worse", parameters: KlWeight("0.1", epochs: 3), perEpoch: new() { [Elbo] = [-330.0, -310.0, -300.0], [Mse] = [0.05, 0.04, 0.03], [Kl] = [3.0, 4.0, 5.0] }),
            Trial("running", RunStatus.Running, KlWeight("0.5", epochs: 3), new() { [Elbo] = [-279.0] }),
            Trial("pruned-later", parameters: KlWeight("0.3", epochs: 3), perEpoch: new() { [Elbo] = [-320.0, -315.0], [Mse] = [0.06, 0.05], [Kl] = [1.0, 1.5] }, pruned: "stopped at 2 of 3 epochs"),
            Trial("trained-best", parameters: KlWeight("0.2", epochs: 3), perEpoch: new() { [Elbo] = [-300.0, -290.0, -285.0], [Mse] = [0.04, 0.03, 0.02], [Kl] = [6.0, 7.0, 8.0] })));

        // Trained to the end first, by ELBO; then the pruned, furthest first; then the running one.
        Assert.Equal(["trained-best", "trained-worse", "pruned-later", "pruned-early", "running"], page.Rows.Select(r => r.Name));
        Assert.Equal(["finished", "finished", "pruned at 2/3", "pruned at 1/3", "running, epoch 1/3"], page.Rows.Select(r => r.StatusText));
        Assert.Equal([true, true, false, false, false], page.Rows.Select(r => r.Completed));
        Assert.Equal(why, page.Rows.Single(r => r.Name == "pruned-early").Pruning?.Why);
        Assert.Equal("5 trials, 2 finished, 2 pruned, 1 running", page.Summary);

        Assert.True(Cells(page, "trained-best")[Elbo].Best);
        Assert.True(Cells(page, "trained-best")[Mse].Best);
        Assert.False(Cells(page, "pruned-early")[Elbo].Best);
        Assert.False(Cells(page, "pruned-early")[Mse].Best);
        Assert.Equal(-280.0, Cells(page, "pruned-early")[Elbo].Value);

        // Their partial results stay on the page, marked: the charts' points, the pictures, the curves.
        Assert.Equal(["pruned-later", "pruned-early"], page.TradeOff!.Points.Where(p => p.Pruning is not null).Select(p => p.Name));
        Assert.Equal(4, page.TradeOff.Points.Count);
        Assert.Equal(["pruned-later", "pruned-early"], page.Effects.Single().Points.Where(p => p.Pruning is not null).Select(p => p.Name));
        Assert.Equal("pruned at 1/3", page.Pictures.Single(p => p.Name == "pruned-early").Pruning?.Status);
        Assert.Contains(page.EpochCurves.Single(c => c.Metric == ReportMetrics.Elbo).Series, s => s.Name == "pruned-early");
    }

    [Fact]
    public void A_pruned_run_a_crash_left_running_reads_pruned_counts_as_pruned_and_keeps_the_page_still()
    {
        var page = ReportPageBuilder.Build(Source(
            Trial("trained", parameters: KlWeight("0.1", epochs: 3), perEpoch: new() { [Elbo] = [-300.0, -290.0, -285.0] }),
            Trial("pruned", RunStatus.Running, KlWeight("0.2", epochs: 3), new() { [Elbo] = [-310.0] }, pruned: "stopped at 1 of 3 epochs")));

        Assert.Equal("pruned at 1/3", page.Rows.Single(r => r.Name == "pruned").StatusText);
        Assert.Equal("2 trials, 1 finished, 1 pruned", page.Summary);
        Assert.False(page.Live);
    }

    [Fact]
    public void The_last_value_of_each_metric_fills_the_table_and_best_follows_each_metrics_direction()
    {
        var page = ReportPageBuilder.Build(Source(
            Trial("a", parameters: KlWeight("0.1"), perEpoch: new() { [Elbo] = [0.0, 50.0], [Bpd] = [2.0, 1.0], [Mse] = [0.05, 0.02], [Kl] = [5.0, 9.0] }),
            Trial("b", parameters: KlWeight("0.2"), perEpoch: new() { [Elbo] = [0.0, 40.0], [Bpd] = [2.0, 1.5], [Mse] = [0.03, 0.01], [Kl] = [3.0, 4.0] })));

        var a = Cells(page, "a");
        var b = Cells(page, "b");
        Assert.Equal((50.0, true), (a[Elbo].Value, a[Elbo].Best));      // higher is better
        Assert.Equal((40.0, false), (b[Elbo].Value, b[Elbo].Best));
        Assert.True(a[Bpd].Best);                                         // lower is better
        Assert.False(b[Bpd].Best);
        Assert.True(b[Mse].Best);                                         // lower is better: b reconstructs better
        Assert.False(a[Mse].Best);
        Assert.False(a[Kl].Best || b[Kl].Best);                           // the KL is traded, never "best"
    }

    [Fact]
    public void Only_finished_trials_can_be_best_and_ties_are_all_best()
    {
        var page = ReportPageBuilder.Build(Source(
            Trial("running", RunStatus.Running, KlWeight("0.1"), new() { [Elbo] = [99.0] }),
            Trial("killed", RunStatus.Killed, KlWeight("0.2"), new() { [Elbo] = [98.0] }),
            Trial("x", parameters: KlWeight("0.3"), perEpoch: new() { [Elbo] = [7.0] }),
            Trial("y", parameters: KlWeight("0.4"), perEpoch: new() { [Elbo] = [7.0] })));

        Assert.True(Cells(page, "x")[Elbo].Best);
        Assert.True(Cells(page, "y")[Elbo].Best);
        Assert.False(Cells(page, "running")[Elbo].Best);
        Assert.False(Cells(page, "killed")[Elbo].Best);
        Assert.Equal("stopped", page.Rows.Single(r => r.Name == "killed").StatusText);
    }

    [Fact]
    public void Columns_show_only_metrics_some_trial_has_and_a_trial_missing_one_gets_an_empty_cell()
    {
        var page = ReportPageBuilder.Build(Source(
            Trial("with-iwae", parameters: KlWeight("0.1"), perEpoch: new() { [Elbo] = [1.0], [ReportMetrics.Iwae.Key] = [2.0] }),
            Trial("without", parameters: KlWeight("0.2"), perEpoch: new() { [Elbo] = [0.5] })));

        Assert.Equal([ReportMetrics.Elbo, ReportMetrics.Iwae], page.Columns);
        var missing = Cells(page, "without")[ReportMetrics.Iwae.Key];
        Assert.Null(missing.Value);
        Assert.False(missing.Best);
        Assert.True(Cells(page, "with-iwae")[ReportMetrics.Iwae.Key].Best);
        Assert.DoesNotContain(page.EpochCurves, c => c.Metric == ReportMetrics.Mse);
        Assert.Single(page.EpochCurves.Single(c => c.Metric == ReportMetrics.Iwae).Series);
    }

    [Fact]
    public void The_swept_values_are_the_params_that_differ_named_by_their_last_part_unless_two_end_alike()
    {
        var page = ReportPageBuilder.Build(Source(
            Trial("a", parameters: new Dictionary<string, string> { ["loss.kl_weight"] = "0.1", ["train.batch_size"] = "64", ["eval.batch_size"] = "500", ["seed"] = "0" }),
            Trial("b", parameters: new Dictionary<string, string> { ["loss.kl_weight"] = "0.2", ["train.batch_size"] = "128", ["eval.batch_size"] = "100", ["seed"] = "0" })));

        Assert.Equal(
            [new SweptParameter("eval.batch_size", "eval.batch_size"), new SweptParameter("loss.kl_weight", "kl_weight"), new SweptParameter("train.batch_size", "train.batch_size")],
            page.Swept);
        Assert.Equal(["500", "0.1", "64"], page.Rows.Single(r => r.Name == "a").SweptValues);
    }

    [Theory]
    [InlineData("beta", "[0.1, 1]", new[] { "kl_weight" })]
    [InlineData("fraction", "[0.2, 0.5]", new[] { "effective_beta", "kl_weight" })]
    public void A_derived_param_is_swept_only_where_it_says_more_than_the_written_value_it_comes_from(string klMode, string weights, string[] expected)
    {
        // The params exactly as `exp run` logs them, from the spec.
        var plan = Exp.Spec.Specs.Parse($"experiment: x\nloss:\n  kl_mode: {klMode}\n  kl_weight: 0.5\nsweep:\n  parameters:\n    loss.kl_weight: {weights}\n", "spec.yaml").Plan;
        var trials = plan.Trials.Select(trial => Trial(trial.Name, parameters: trial.Params.ToDictionary(p => p.Key, p => p.Value))).ToArray();

        var page = ReportPageBuilder.Build(Source(trials));

        Assert.Equal(expected, page.Swept.Select(p => p.Title));
    }

    [Fact]
    public void The_trade_off_and_the_pictures_follow_the_swept_values_in_numeric_order()
    {
        var page = ReportPageBuilder.Build(Source(
            Trial("w=0.01", parameters: KlWeight("0.01"), perEpoch: new() { [Elbo] = [1.0], [Kl] = [3.0], [Mse] = [0.04] }, images: Pictures("w=0.01", 1)),
            Trial("w=1e-05", parameters: KlWeight("1e-05"), perEpoch: new() { [Elbo] = [3.0], [Kl] = [40.0], [Mse] = [0.005] }, images: Pictures("w=1e-05", 1)),
            Trial("w=0.001", parameters: KlWeight("0.001"), perEpoch: new() { [Elbo] = [2.0], [Kl] = [12.0], [Mse] = [0.01] }, images: Pictures("w=0.001", 1))));

        Assert.Equal(["1e-05", "0.001", "0.01"], page.TradeOff!.Points.Select(p => p.Label));
        Assert.Equal([40.0, 12.0, 3.0], page.TradeOff.Points.Select(p => p.Kl));
        Assert.Equal(["w=1e-05", "w=0.001", "w=0.01"], page.Pictures.Select(p => p.Name));
        var effect = Assert.Single(page.Effects);
        Assert.True(effect.Numeric);
        Assert.True(effect.LogX); // 1e-5 to 1e-2 spans three decades
    }

    [Fact]
    public void Values_only_a_failed_trial_differs_in_neither_label_the_trade_off_nor_get_a_chart_against_the_elbo()
    {
        var page = ReportPageBuilder.Build(Source(
            Trial("a", parameters: new Dictionary<string, string> { ["loss.kl_weight"] = "0.1", ["train.lr"] = "0.001" }, perEpoch: new() { [Elbo] = [1.0], [Kl] = [5.0], [Mse] = [0.01] }),
            Trial("b", parameters: new Dictionary<string, string> { ["loss.kl_weight"] = "0.2", ["train.lr"] = "0.001" }, perEpoch: new() { [Elbo] = [2.0], [Kl] = [2.0], [Mse] = [0.02] }),
            Trial("diverged", RunStatus.Failed, new Dictionary<string, string> { ["loss.kl_weight"] = "0.3", ["train.lr"] = "1e+12" }, failure: "NaN")));

        Assert.Equal(["kl_weight", "lr"], page.Swept.Select(p => p.Title));
        Assert.Equal(["0.1", "0.2"], page.TradeOff!.Points.Select(p => p.Label));
        Assert.Equal("loss.kl_weight", Assert.Single(page.Effects).Parameter.Key);
    }

    [Fact]
    public void A_swept_value_on_a_narrow_or_categorical_range_gets_no_log_axis()
    {
        var narrow = ReportPageBuilder.Build(Source(
            Trial("a", parameters: KlWeight("0.1"), perEpoch: new() { [Elbo] = [1.0] }),
            Trial("b", parameters: KlWeight("0.5"), perEpoch: new() { [Elbo] = [2.0] })));
        var categorical = ReportPageBuilder.Build(Source(
            Trial("relu", parameters: new Dictionary<string, string> { ["model.activation"] = "relu" }, perEpoch: new() { [Elbo] = [1.0] }),
            Trial("gelu", parameters: new Dictionary<string, string> { ["model.activation"] = "gelu" }, perEpoch: new() { [Elbo] = [2.0] })));

        Assert.False(Assert.Single(narrow.Effects).LogX);
        Assert.True(narrow.Effects[0].Numeric);
        Assert.False(Assert.Single(categorical.Effects).Numeric);
        Assert.Null(categorical.TradeOff); // no KL and MSE logged
    }

    [Fact]
    public void Pictures_show_the_last_epoch_keep_the_earlier_ones_and_the_science_figures_when_present()
    {
        var images = Pictures("t", 3).Concat(
        [
            new LoggedImage(ImageKeys.KlPerDimension, 20, "kl2.png"),
            new LoggedImage(ImageKeys.KlPerDimension, 30, "kl3.png"),
            new LoggedImage(ImageKeys.ProposalComparison, 30, "proposal.png"),
        ]).ToList();
        var page = ReportPageBuilder.Build(Source(Trial("t", perEpoch: new() { [Elbo] = [-300.0, -290.0, -280.0] }, images: images), Trial("no-pictures")));

        var column = Assert.Single(page.Pictures);
        Assert.Equal([1L, 2L, 3L], column.Epochs.Select(e => e.Epoch));
        Assert.Equal("t-samples-3.png", column.Epochs[^1].Samples!.Path);
        Assert.Equal("t-reconstructions-1.png", column.Epochs[0].Reconstructions!.Path);
        Assert.Equal("kl3.png", column.KlPerDimension!.Path);
        Assert.Equal(3, column.KlPerDimensionEpoch);
        Assert.Equal("proposal.png", column.ProposalComparison!.Path);
    }

    [Fact]
    public void Pictures_logged_at_step_equal_to_epoch_by_earlier_runs_still_show_per_epoch()
    {
        // Epochs of 2 steps end at steps 2, 4, 6. Before one step axis pictures were logged at step = epoch
        // (1, 2, 3): step 2 is also the end of epoch 1, yet its pictures are epoch 2's.
        var earlier = Enumerable.Range(1, 3).SelectMany(e => new[]
        {
            new LoggedImage(ImageKeys.Samples, e, $"samples-{e}.png"),
            new LoggedImage(ImageKeys.Reconstructions, e, $"reconstructions-{e}.png"),
        }).ToList();
        var page = ReportPageBuilder.Build(Source(Trial("old", images: earlier, raw: new Dictionary<string, IReadOnlyList<MetricPoint>>
        {
            [ReportMetrics.Epoch] = [new(2, 1), new(4, 2), new(6, 3)],
            [Elbo] = [new(2, -300), new(4, -290), new(6, -280)],
        })));

        var column = Assert.Single(page.Pictures);
        Assert.Equal([1L, 2L, 3L], column.Epochs.Select(e => e.Epoch));
        Assert.Equal("samples-2.png", column.Epochs[1].Samples!.Path);
    }

    [Fact]
    public void Held_out_curves_are_drawn_by_epoch_and_by_step_when_no_epoch_was_logged()
    {
        var byEpoch = ReportPageBuilder.Build(Source(Trial("a", perEpoch: new() { [Elbo] = [1.0, 2.0, 3.0] })));
        var byStep = ReportPageBuilder.Build(Source(Trial("b", raw: new Dictionary<string, IReadOnlyList<MetricPoint>>
        {
            [Elbo] = [new(100, 1.0), new(200, 2.0)],
        })));

        var curve = byEpoch.EpochCurves.Single(c => c.Metric == ReportMetrics.Elbo);
        Assert.Equal("epoch", curve.XTitle);
        Assert.Equal([1.0, 2.0, 3.0], curve.Series[0].X);
        var stepCurve = byStep.EpochCurves.Single(c => c.Metric == ReportMetrics.Elbo);
        Assert.Equal("step", stepCurve.XTitle);
        Assert.Equal([100.0, 200.0], stepCurve.Series[0].X);
    }

    [Fact]
    public void A_long_training_loss_is_thinned_to_a_bounded_number_of_points_keeping_its_last()
    {
        var loss = Enumerable.Range(1, 5000).Select(step => new MetricPoint(step, 1000.0 / step)).ToList();
        var page = ReportPageBuilder.Build(Source(Trial("a", raw: new Dictionary<string, IReadOnlyList<MetricPoint>> { [ReportMetrics.TrainLoss.Key] = loss })));

        var series = Assert.Single(page.TrainingLoss!.Series);
        Assert.InRange(series.X.Count, 2, ReportPageBuilder.MaxPointsPerSeries);
        Assert.Equal(5000.0, series.X[^1]);
        Assert.True(page.TrainingLoss.LogY); // 1000 down to 0.2
    }

    [Fact]
    public void The_notes_question_is_answered_at_the_largest_k_with_standard_errors()
    {
        var page = ReportPageBuilder.Build(Source(
            Trial("a", raw: new Dictionary<string, IReadOnlyList<MetricPoint>>
            {
                ["proposal/prior/mse/k10"] = [new(50, 9000)], ["proposal/prior/mse_se/k10"] = [new(50, 800)],
                ["proposal/prior/mse/k1000"] = [new(50, 4000)], ["proposal/prior/mse_se/k1000"] = [new(50, 500)],
                ["proposal/q/mse/k10"] = [new(50, 20)], ["proposal/q/mse_se/k10"] = [new(50, 4)],
                ["proposal/q/mse/k1000"] = [new(50, 2)], ["proposal/q/mse_se/k1000"] = [new(50, 0.5)],
                ["proposal/recon/mse/k1000"] = [new(50, 0.01)], ["proposal/recon/mse_se/k1000"] = [new(50, 0.002)],
                ["proposal/q/reference"] = [new(50, 400)], ["proposal/recon/reference"] = [new(50, 430)],
            }),
            Trial("without")));

        var answer = Assert.Single(page.Proposals);
        Assert.Equal(("a", 1000), (answer.Name, answer.K));
        Assert.Equal((new MeanError(4000, 500), new MeanError(2, 0.5), new MeanError(0.01, 0.002)), (answer.Prior, answer.Q, answer.Recon));
        Assert.Equal(30, answer.ReconGap);
        Assert.Equal("q: 2,000× smaller MSE than the prior", Exp.Report.Html.ReportHtml.ProposalVerdict(answer, answer.Prior.Value / answer.Q.Value));
        Assert.StartsWith("no clear difference", Exp.Report.Html.ReportHtml.ProposalVerdict(answer with { Prior = new MeanError(3, 2) }, 1.5));
    }

    /// <summary>Pictures of each epoch at the step that ended it (10·e, as <see cref="TrialSources.Trial"/> logs the epoch there).</summary>
    private static IReadOnlyList<LoggedImage> Pictures(string trial, int epochs) =>
        Enumerable.Range(1, epochs).SelectMany(e => new[]
        {
            new LoggedImage(ImageKeys.Samples, 10 * e, $"{trial}-samples-{e}.png"),
            new LoggedImage(ImageKeys.Reconstructions, 10 * e, $"{trial}-reconstructions-{e}.png"),
        }).ToList();

    private static Dictionary<string, MetricCell> Cells(ReportPage page, string trial)
    {
        var row = page.Rows.Single(r => r.Name == trial);
        return page.Columns.Select((c, i) => (c.Key, row.Cells[i])).ToDictionary(x => x.Key, x => x.Item2);
    }
}
