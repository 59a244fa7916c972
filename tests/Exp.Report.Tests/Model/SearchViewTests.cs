using Exp.Report.Model;
using Exp.Tracking.Model;
using static Exp.Report.Tests.Model.TrialSources;

namespace Exp.Report.Tests.Model;

/// <summary>The page of a search over several parameters, decided from its spec and its trials.</summary>
public sealed class SearchViewTests
{
    private const string TpeSpec = """
        experiment: tpe
        loss: {noise_sigma: 0.1}
        sweep:
          method: tpe
          trials: 4
          startup_trials: 2
          parameters:
            train.lr: {distribution: loguniform, min: 1.0e-4, max: 1.0e-2}
            loss.kl_weight: {distribution: loguniform, min: 0.1, max: 10.0}
            model.activation: {choice: [relu, leaky_relu, silu]}
        """;

    private static readonly string Elbo = ReportMetrics.Elbo.Key;

    private static TrialSource Sampled(string name, string lr, string klWeight, string activation, double elbo, long start) =>
        Trial(name, parameters: new Dictionary<string, string> { ["train.lr"] = lr, ["loss.kl_weight"] = klWeight, ["model.activation"] = activation, ["train.epochs"] = "1" },
            perEpoch: new() { [Elbo] = [elbo], [ReportMetrics.Kl.Key] = [3.0], [ReportMetrics.Mse.Key] = [0.05] }) with { StartTime = start };

    private static ReportPage TpePage() => ReportPageBuilder.Build(Source(
        Sampled("a", "0.0002", "0.5", "silu", -300, 1),
        Sampled("b", "0.004", "2", "relu", -280, 2),
        Sampled("c", "0.001", "4", "leaky_relu", -310, 3),
        Sampled("d", "0.008", "1.5", "relu", -270, 4)) with { SpecText = TpeSpec });

    [Fact]
    public void Axes_follow_the_sampling_log_for_log_uniform_even_within_two_decades_and_the_choices_in_the_specs_order()
    {
        var page = TpePage();

        var search = page.Search!;
        Assert.Equal(["kl_weight", "activation", "lr", "ELBO"], search.Axes.Select(a => a.Title));
        // The KL weights span 0.5 to 4, less than a decade: only the spec says they were drawn log-uniformly.
        var kl = search.Axes[0];
        Assert.Equal(AxisScale.Log, kl.Scale);
        Assert.Equal((-1.0, 1.0), (Math.Round(kl.Range.Low, 12), Math.Round(kl.Range.High, 12)));
        string ConfigOf(int line, string key) => page.Configs[search.Lines[line]][key];
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal(Math.Log10(double.Parse(ConfigOf(i, "loss.kl_weight"), System.Globalization.CultureInfo.InvariantCulture)), kl.Values[i], 1e-12));
        Assert.Equal(["0.1", "1", "10"], kl.TickTexts);
        var activation = search.Axes[1];
        Assert.Equal(AxisScale.Category, activation.Scale);
        Assert.Equal(["relu", "leaky_relu", "silu"], activation.TickTexts);
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal(ConfigOf(i, "model.activation"), activation.TickTexts[(int)activation.Values[i]]));
        Assert.Equal((-4.0, -2.0), (Math.Round(search.Axes[2].Range.Low, 12), Math.Round(search.Axes[2].Range.High, 12)));

        // The charts of each parameter against the ELBO: log where log-uniform, categories for the choice, and no line through sampled points.
        Assert.True(page.Effects.Single(e => e.Parameter.Title == "kl_weight").LogX);
        Assert.True(page.Effects.Single(e => e.Parameter.Title == "lr").LogX);
        Assert.False(page.Effects.Single(e => e.Parameter.Title == "activation").Numeric);
        Assert.All(page.Effects, e => Assert.False(e.Joined));
        Assert.False(page.TradeOff!.Joined);
    }

    [Fact]
    public void The_history_is_in_the_order_the_trials_started_with_the_best_so_far_and_the_importances_share_one()
    {
        var search = TpePage().Search!;

        Assert.Equal(["a", "b", "c", "d"], search.History.Select(p => p.Name));
        Assert.Equal([1, 2, 3, 4], search.History.Select(p => p.Number));
        Assert.Equal([-300.0, -280, -280, -270], search.History.Select(p => p.BestSoFar!.Value));
        Assert.Equal(3, search.Importances.Count);
        Assert.Equal(1, search.Importances.Sum(i => i.Value), 1e-12);
        Assert.True(search.Maximize);
        Assert.Empty(search.Rungs);
    }

    [Fact]
    public void Asha_rungs_show_each_trials_objective_at_every_rung_it_reached_and_where_it_was_pruned()
    {
        const string spec = """
            experiment: asha
            loss: {noise_sigma: 0.1}
            sweep:
              method: random
              trials: 3
              scheduler: {type: asha, min_epochs: 1, reduction_factor: 3, max_epochs: 9}
              parameters:
                train.lr: {distribution: loguniform, min: 1.0e-4, max: 1.0e-2}
                loss.kl_weight: {distribution: loguniform, min: 0.1, max: 10.0}
            """;
        Dictionary<string, string> Values(string lr, string weight) => new() { ["train.lr"] = lr, ["loss.kl_weight"] = weight, ["train.epochs"] = "9" };
        var page = ReportPageBuilder.Build(Source(
            Trial("far", parameters: Values("0.001", "1"), perEpoch: new() { [Elbo] = Enumerable.Range(1, 9).Select(e => -300.0 + e).ToArray() }),
            Trial("middle", parameters: Values("0.002", "2"), perEpoch: new() { [Elbo] = [-305.0, -304, -303] }, pruned: "stopped at 3 of 9 epochs"),
            Trial("first", parameters: Values("0.0001", "0.2"), perEpoch: new() { [Elbo] = [-320.0] }, pruned: "stopped at 1 of 9 epochs")) with { SpecText = spec });

        var search = page.Search!;
        // Random draws of a log-uniform parameter run on a log axis, though these span one decade only.
        Assert.All(search.Axes.Take(2), a => Assert.Equal(AxisScale.Log, a.Scale));
        Assert.Equal([1, 3, 9], search.RungEpochs);
        var paths = search.Rungs.ToDictionary(p => p.Name);
        Assert.Equal([1.0, 3, 9], paths["far"].Epochs);
        Assert.Equal([-299.0, -297, -291], paths["far"].Values);
        Assert.Null(paths["far"].Pruning);
        Assert.Equal([1.0, 3], paths["middle"].Epochs);
        Assert.Equal([-305.0, -303], paths["middle"].Values);
        Assert.Equal("pruned at 3/9", paths["middle"].Pruning!.Status);
        Assert.Equal([1.0], paths["first"].Epochs);
        // Pruned trials' values are from fewer epochs: the axis of epochs trained lets brushing keep the finished one.
        Assert.Equal(["kl_weight", "lr", "epochs trained", "ELBO"], search.Axes.Select(a => a.Title));
        // The best so far counts only the trial trained to its end; a random search has a history too.
        Assert.All(search.History, p => Assert.Equal(-291.0, p.BestSoFar ?? -291.0));
    }

    [Fact]
    public void A_one_parameter_grid_keeps_its_page_and_its_line_in_sweep_order_and_a_two_parameter_grid_gets_the_search_views_without_a_history()
    {
        var one = ReportPageBuilder.Build(Source(
            Trial("w=0.1", parameters: KlWeight("0.1"), perEpoch: new() { [Elbo] = [-300.0], [ReportMetrics.Kl.Key] = [3.0], [ReportMetrics.Mse.Key] = [0.05] }),
            Trial("w=1", parameters: KlWeight("1"), perEpoch: new() { [Elbo] = [-290.0], [ReportMetrics.Kl.Key] = [2.0], [ReportMetrics.Mse.Key] = [0.06] })));
        Assert.Null(one.Search);
        Assert.True(one.TradeOff!.Joined);
        Assert.True(one.Effects.Single().Joined);

        TrialSource Cell(string weight, string latent, double elbo)
        {
            var parameters = KlWeight(weight);
            parameters["model.latent_dim"] = latent;
            return Trial($"w={weight},d={latent}", parameters: parameters, perEpoch: new() { [Elbo] = [elbo] });
        }
        var cells = new[] { Cell("0.1", "4", -300), Cell("0.1", "8", -290), Cell("1", "4", -295), Cell("1", "8", -285) };
        const string grid = """
            experiment: grid
            loss: {noise_sigma: 0.1}
            sweep:
              parameters:
                loss.kl_weight: [0.1, 1]
                model.latent_dim: [4, 8]
            """;
        var two = ReportPageBuilder.Build(Source(cells) with { SpecText = grid });
        Assert.NotNull(two.Search);
        Assert.Empty(two.Search.History);
        Assert.All(two.Effects, e => Assert.False(e.Joined));

        // The same trials as hand-written list entries keep the page of a sweep along one parameter.
        const string list = """
            experiment: list
            loss: {noise_sigma: 0.1}
            sweep:
              method: list
              trials:
                - {loss.kl_weight: 0.1, model.latent_dim: 4}
                - {loss.kl_weight: 1, model.latent_dim: 8}
            """;
        Assert.Null(ReportPageBuilder.Build(Source(cells) with { SpecText = list }).Search);
    }
}
