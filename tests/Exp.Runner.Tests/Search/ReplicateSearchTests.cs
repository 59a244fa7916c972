using Exp.Catalog;
using Exp.Runner.Search;
using Exp.Spec;

namespace Exp.Runner.Tests.Search;

/// <summary>Replicates: the spread of a configuration, its rank by the mean, and what ASHA and TPE see of it.</summary>
public sealed class ReplicateSearchTests
{
    [Fact]
    public void The_spread_is_the_mean_and_the_sample_standard_deviation_with_n_minus_1()
    {
        double[] values = [-812.25, 371.5, 372.875, 230.0625, 343.4375];
        // Reference: decimal arithmetic, the textbook formula sqrt(sum (x - mean)^2 / (n - 1)).
        var mean = values.Select(v => (decimal)v).Sum() / values.Length;
        var variance = values.Select(v => ((decimal)v - mean) * ((decimal)v - mean)).Sum() / (values.Length - 1);
        var spread = Spread.Of(values)!.Value;
        Assert.Equal((double)mean, spread.Mean, 12);
        Assert.Equal(Math.Sqrt((double)variance), spread.StandardDeviation, 9);
        Assert.Equal(5, spread.Count);

        var one = Spread.Of([0.0167])!.Value;
        Assert.Equal((0.0167, 1), (one.Mean, one.Count));
        Assert.True(double.IsNaN(one.StandardDeviation));
        Assert.Equal("0.0167", one.Format(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Null(Spread.Of([]));
    }

    [Fact]
    public void Configurations_rank_by_their_mean_not_by_their_best_replicate()
    {
        // (group, value, finished): b has the single best replicate, a the best mean; c has no finished replicate.
        (string Group, double Value, bool Finished)[] trials =
            [("a", 10, true), ("b", 14, true), ("a", 11, true), ("b", 2, true), ("c", 20, false), ("b", 100, false)];
        var ranked = Configurations.RankedByMean(Configurations.Group(trials, t => t.Group), t => t.Value, t => t.Finished, Goal.Maximize);
        Assert.Equal(["a", "b", "c"], ranked.Select(c => c.Group));
        Assert.Equal(new Spread(8, Math.Sqrt(72), 2), ranked[1].Of(t => t.Value, t => t.Finished));
        Assert.Equal(["b", "a", "c"], Configurations.RankedByMean(Configurations.Group(trials, t => t.Group), t => t.Value, t => t.Finished, Goal.Minimize)
            .Select(c => c.Group));
        Assert.Equal("kl_weight=3", Configurations.NameOf("kl_weight=3,seed=1"));
        Assert.Equal("base", Configurations.NameOf("seed=2"));
    }

    [Fact]
    public void Asha_promotes_the_replicates_of_the_best_mean_over_a_lucky_seed()
    {
        var plan = KnownFunction.Plan("random", trials: 9, startup: 0, seed: 5, scheduler: "scheduler: {type: asha, min_epochs: 1, reduction_factor: 3}", epochs: 9);
        SearchTrial Paused(int number, double value) => new(number, $"t{number}", [], 1, new Dictionary<int, double> { [1] = value }, SearchPhase.Paused);
        // Configurations A (1, 2), B (3, 4), C (5, 6): B has the best single value, A the best mean.
        SearchTrial[] trials = [Paused(1, -1.0), Paused(2, -1.2), Paused(3, -0.5), Paused(4, -3.0), Paused(5, -2.0), Paused(6, -2.0)];
        string ConfigurationOf(SearchTrial t) => ((t.Number + 1) / 2).ToString();

        var byTrial = SearchPolicy.Next(trials, new HashSet<int>(), 0, 6, 9, plan.Scheduler, plan.Objective);
        Assert.Equal(new Decision.Promote(3, 1, 3), byTrial);

        var averaged = ConfigurationMeans.AtRungs(trials, ConfigurationOf);
        Assert.Equal([-1.1, -1.1, -1.75, -1.75, -2.0, -2.0], averaged.Select(t => Math.Round(t.Rungs[1], 12)));
        Assert.Equal(new Decision.Promote(1, 1, 3), SearchPolicy.Next(averaged, new HashSet<int>(), 0, 6, 9, plan.Scheduler, plan.Objective));
        // The quota (6 / 3 = 2) goes to both replicates of A.
        var afterFirst = averaged.Select(t => t.Number == 1 ? t with { Epochs = 3, Phase = SearchPhase.Running } : t).ToList();
        Assert.Equal(new Decision.Promote(2, 1, 3), SearchPolicy.Next(afterFirst, new HashSet<int> { 1 }, 1, 6, 9, plan.Scheduler, plan.Objective));
    }

    [Fact]
    public void Tpe_learns_from_one_point_per_configuration_at_its_mean()
    {
        SearchTrial Trial(int number, double[] values, double? value, SearchPhase phase) =>
            new(number, $"t{number}", values, 1, value is { } v ? new Dictionary<int, double> { [1] = v } : [], phase);
        SearchTrial[] trials =
        [
            Trial(1, [0.1], -1.0, SearchPhase.Completed), Trial(2, [0.1], -3.0, SearchPhase.Completed),
            Trial(3, [0.7], -2.0, SearchPhase.Completed), Trial(4, [0.7], null, SearchPhase.Running),
            Trial(5, [0.9], -5.0, SearchPhase.Failed), Trial(6, [0.9], -0.5, SearchPhase.Completed),
        ];
        var configurations = ConfigurationMeans.PerConfiguration(trials, t => ((t.Number + 1) / 2).ToString());
        Assert.Equal([1, 3, 5], configurations.Select(t => t.Number));
        Assert.Equal([-2.0, -2.0, -0.5], configurations.Select(t => t.Rungs[1]));
        // A configuration with a replicate still running is not in yet: the constant liar counts it as bad.
        Assert.Equal([SearchPhase.Completed, SearchPhase.Running, SearchPhase.Completed], configurations.Select(t => t.Phase));
    }

    [Fact]
    public async Task Tpe_with_replicates_whose_seeds_scatter_proposes_what_it_proposes_from_the_noise_free_means()
    {
        // The metric of seed 0 is 0.25 above the configuration's quality and that of seed 1 as far below, so each
        // configuration's mean is its quality: TPE over the means must take the path it takes without replicates or noise.
        var plain = KnownFunction.Plan("tpe", trials: 14, startup: 4, seed: 2, epochs: 1);
        var replicated = KnownFunction.Plan("tpe", trials: 14, startup: 4, seed: 2, epochs: 1, replicates: 2);
        Assert.Equal(28, replicated.Search.Trials);

        var plainTrainer = new FakeTrainer(1);
        var plainOutcome = await new AdaptiveSweep(plain, new MemoryRecords()).RunAsync(1, plainTrainer.Train, () => true, _ => { }, plainTrainer.Stop.Token);
        var noisyTrainer = new FakeTrainer(1);
        async Task<SegmentEnd> Noisy(Segment segment, CancellationToken stop) =>
            await noisyTrainer.Train(segment, stop) is SegmentEnd.Reached reached
                ? new SegmentEnd.Reached(reached.Value + (segment.Trial.Config.Seed == 0 ? 0.25 : -0.25))
                : throw new InvalidOperationException("the fake trainer always reaches its rung");
        var outcome = await new AdaptiveSweep(replicated, new MemoryRecords()).RunAsync(1, Noisy, () => true, _ => { }, noisyTrainer.Stop.Token);

        Assert.Equal(28, outcome.Trials.Count);
        foreach (var trial in outcome.Trials)
        {
            var configuration = replicated.Search.Configuration(trial.Number);
            Assert.Equal(plainOutcome.Trials[configuration - 1].Values, trial.Values);
            var resolved = replicated.Search.Resolve(trial.Number, [.. trial.Values]);
            Assert.Equal((trial.Number - 1) % 2, resolved.Config.Seed);
            Assert.Equal(plainOutcome.Trials[configuration - 1].TrialId, replicated.Search.Resolve(trial.Number - (trial.Number - 1) % 2, [.. trial.Values]).ConfigGroup);
        }
    }
}
