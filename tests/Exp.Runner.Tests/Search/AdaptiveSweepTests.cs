using Exp.Runner.Search;
using Exp.Spec;
using Xunit.Abstractions;

namespace Exp.Runner.Tests.Search;

public sealed class AdaptiveSweepTests(ITestOutputHelper output)
{
    private const string Asha = "scheduler: {type: asha, min_epochs: 1, reduction_factor: 3}";

    private static async Task<(SearchOutcome Outcome, FakeTrainer Trainer)> Run(Plan plan, ISearchRecords records, int slots, FakeTrainer? trainer = null)
    {
        trainer ??= new FakeTrainer(plan.Scheduler.MaxEpochs);
        var outcome = await new AdaptiveSweep(plan, records).RunAsync(slots, trainer.Train, () => true, _ => { }, trainer.Stop.Token);
        Assert.Empty(trainer.Errors);
        return (outcome, trainer);
    }

    private static double Best(SearchOutcome outcome, Plan plan) =>
        outcome.Trials.Where(t => t.Phase == SearchPhase.Completed).Max(t => t.Rungs[plan.Scheduler.MaxEpochs]);

    [Fact]
    public async Task Tpe_finds_better_values_than_random_search_with_the_same_number_of_trials()
    {
        var seeds = Enumerable.Range(1, 12).ToList();
        var tpeRegret = new List<double>();
        var randomRegret = new List<double>();
        foreach (var seed in seeds)
        {
            var tpe = KnownFunction.Plan("tpe", trials: 40, startup: 10, seed, epochs: 1);
            var random = KnownFunction.Plan("random", trials: 40, startup: 0, seed, epochs: 1);
            tpeRegret.Add(KnownFunction.Optimum - Best((await Run(tpe, new MemoryRecords(), slots: 1)).Outcome, tpe));
            randomRegret.Add(KnownFunction.Optimum - Best((await Run(random, new MemoryRecords(), slots: 1)).Outcome, random));
        }
        output.WriteLine($"regret (optimum - best found) after 40 trials, mean over {seeds.Count} seeds: TPE {tpeRegret.Average():F4}, random {randomRegret.Average():F4}");
        output.WriteLine($"TPE better on {seeds.Count(i => tpeRegret[i - 1] < randomRegret[i - 1])} of {seeds.Count} seeds");
        Assert.True(tpeRegret.Average() < 0.5 * randomRegret.Average(), $"TPE {tpeRegret.Average()} vs random {randomRegret.Average()}");
    }

    [Fact]
    public async Task Tpe_with_parallel_trials_proposes_distinct_configs_while_others_run()
    {
        var plan = KnownFunction.Plan("tpe", trials: 30, startup: 5, seed: 3, epochs: 1);
        var (outcome, _) = await Run(plan, new MemoryRecords(), slots: 4);
        Assert.Equal(30, outcome.Trials.Select(t => t.TrialId).Distinct().Count());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Asha_stays_within_its_budget_and_the_best_trial_reaches_max_epochs(int slots)
    {
        var plan = KnownFunction.Plan("random", trials: 27, startup: 0, seed: 5, scheduler: Asha, epochs: 27);
        Assert.Equal([1, 3, 9, 27], plan.Scheduler.Rungs);
        var (outcome, trainer) = await Run(plan, new MemoryRecords(), slots);

        var budget = SearchPolicy.Budget(27, plan.Scheduler);
        var full = 27L * 27;
        output.WriteLine($"{slots} slot(s): ASHA trained {trainer.EpochsTrained} epochs; its budget is {budget}; the same 27 trials to the end: {full} ({1 - (double)trainer.EpochsTrained / full:P0} saved)");
        Assert.True(trainer.EpochsTrained <= budget, $"{trainer.EpochsTrained} epochs > budget {budget}");
        Assert.True(outcome.Finished);

        var best = plan.Trials.MaxBy(KnownFunction.Quality)!;
        Assert.Equal(27, trainer.Checkpoints[best.Id]);
        Assert.Equal(SearchPhase.Completed, outcome.Trials.Single(t => t.TrialId == best.Id).Phase);
        // Every trial ends completed or pruned, and a pruned one trained exactly to the rung it stopped at.
        Assert.All(outcome.Trials, t => Assert.Contains(t.Phase, new[] { SearchPhase.Completed, SearchPhase.Pruned }));
        foreach (var pruned in outcome.Trials.Where(t => t.Phase == SearchPhase.Pruned))
        {
            Assert.Equal(pruned.Last!.Value.Epochs, trainer.Checkpoints[pruned.TrialId]);
            Assert.True(pruned.Last!.Value.Epochs < 27);
        }
        // Each rung keeps at most a third of the trials that reached the one below.
        var reached = plan.Scheduler.Rungs.Select(r => outcome.Trials.Count(t => t.Rungs.ContainsKey(r))).ToList();
        Assert.Equal(27, reached[0]);
        for (var k = 1; k < reached.Count; k++)
        {
            Assert.True(reached[k] <= reached[k - 1] / 3, $"rung {k}: {reached[k]} of {reached[k - 1]}");
        }
    }

    [Fact]
    public void A_trial_alone_at_its_rung_waits_for_rivals_instead_of_being_promoted()
    {
        var plan = KnownFunction.Plan("random", trials: 9, startup: 0, seed: 5, scheduler: Asha, epochs: 9);
        SearchTrial Paused(int number, double value) =>
            new(number, $"t{number}", [], 1, new Dictionary<int, double> { [1] = value }, SearchPhase.Paused);

        var alone = SearchPolicy.Next([Paused(1, -1)], new HashSet<int>(), 0, 1, 9, plan.Scheduler, plan.Objective);
        Assert.Equal(new Decision.Start(2, 1), alone);

        // With three at the rung, the best of them (a third) goes on, ahead of any new trial.
        var three = SearchPolicy.Next([Paused(1, -1), Paused(2, -0.5), Paused(3, -2)], new HashSet<int>(), 0, 3, 9, plan.Scheduler, plan.Objective);
        Assert.Equal(new Decision.Promote(2, 1, 3), three);
    }

    /// <summary>
    /// The shape that once ended with no answer: 8 trials, rungs 1, 3, 4. Two of eight go on from
    /// rung 1, and floor(2/3) = 0 from rung 3, so every trial stopped short of max_epochs.
    /// </summary>
    [Fact]
    public void When_the_furthest_rung_keeps_none_of_its_trials_its_best_still_trains_to_max_epochs()
    {
        var plan = KnownFunction.Plan("tpe", trials: 8, startup: 4, seed: 5, scheduler: Asha, epochs: 4);
        Assert.Equal([1, 3, 4], plan.Scheduler.Rungs);
        SearchTrial At(int number, params (int Epochs, double Value)[] rungs) =>
            new(number, $"t{number}", [], rungs[^1].Epochs, rungs.ToDictionary(r => r.Epochs, r => r.Value), SearchPhase.Paused);
        List<SearchTrial> trials =
        [
            At(1, (1, -0.9)), At(2, (1, -0.4), (3, -0.30)), At(3, (1, -0.8)), At(4, (1, -0.7)),
            At(5, (1, -0.5), (3, -0.25)), At(6, (1, -1.0)), At(7, (1, -0.6)), At(8, (1, -0.95)),
        ];
        var idle = new HashSet<int>();

        // While a trial still trains here, the rung may yet get rivals: wait rather than promote the first.
        Assert.Equal(new Decision.Wait(), SearchPolicy.Next(trials, idle, trainingHere: 1, proposals: 8, totalTrials: 8, plan.Scheduler, plan.Objective));

        // Nothing else left: the better of the two at rung 3 (trial 5, eval/elbo -0.25) goes on to 4.
        Assert.Equal(new Decision.Promote(5, 3, 4, BestOfFurthestRung: true), SearchPolicy.Next(trials, idle, trainingHere: 0, proposals: 8, totalTrials: 8, plan.Scheduler, plan.Objective));

        // Once it was granted max_epochs the sweep ends, pruning the rest where they stopped.
        trials[4] = At(5, (1, -0.5), (3, -0.25), (4, -0.2)) with { Phase = SearchPhase.Completed };
        var finish = Assert.IsType<Decision.Finish>(SearchPolicy.Next(trials, idle, trainingHere: 0, proposals: 8, totalTrials: 8, plan.Scheduler, plan.Objective));
        Assert.Equal([1, 2, 3, 4, 6, 7, 8], finish.Pruned);
        // Even if it failed on the way, no second trial is sent: the bound counts one trial per rung at most beyond the quota.
        trials[4] = trials[4] with { Rungs = new Dictionary<int, double> { [1] = -0.5, [3] = -0.25 }, Phase = SearchPhase.Failed };
        Assert.IsType<Decision.Finish>(SearchPolicy.Next(trials, idle, trainingHere: 0, proposals: 8, totalTrials: 8, plan.Scheduler, plan.Objective));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task A_tpe_and_asha_sweep_of_8_trials_over_4_epochs_trains_its_best_to_the_end_within_its_budget(int slots)
    {
        var plan = KnownFunction.Plan("tpe", trials: 8, startup: 4, seed: 7, scheduler: Asha, epochs: 4);
        var (outcome, trainer) = await Run(plan, new MemoryRecords(), slots);

        // 8 trials to epoch 1, floor(8/3) = 2 on to 3, and the best of those 2 on to 4: 8 + 2*2 + 1 = 13 epochs.
        var budget = SearchPolicy.Budget(8, plan.Scheduler);
        Assert.Equal(13, budget);
        output.WriteLine($"{slots} slot(s): {trainer.EpochsTrained} epochs trained, budget {budget}, 32 to train all 8 to the end");
        Assert.True(trainer.EpochsTrained <= budget, $"{trainer.EpochsTrained} epochs > budget {budget}");
        Assert.True(outcome.Finished);

        var completed = Assert.Single(outcome.Trials, t => t.Phase == SearchPhase.Completed);
        Assert.Equal(4, trainer.Checkpoints[completed.TrialId]);
        var atThree = outcome.Trials.Where(t => t.Rungs.ContainsKey(3)).ToList();
        Assert.Equal(2, atThree.Count);
        Assert.Equal(SearchPolicy.Ranked(atThree, 3, plan.Objective).First().TrialId, completed.TrialId);
        Assert.All(outcome.Trials.Where(t => t != completed), t => Assert.Equal(SearchPhase.Pruned, t.Phase));
    }

    [Fact]
    public async Task Kill_and_resume_mid_sweep_takes_the_same_decisions_and_trains_no_epoch_twice()
    {
        var plan = KnownFunction.Plan("tpe", trials: 18, startup: 6, seed: 11, scheduler: Asha, epochs: 9);
        var (whole, wholeTrainer) = await Run(plan, new MemoryRecords(), slots: 1);

        var folder = Directory.CreateTempSubdirectory("exp-search-");
        var journal = Path.Combine(folder.FullName, "decisions.jsonl");
        var trainer = new FakeTrainer(plan.Scheduler.MaxEpochs) { InterruptAfterSegments = 14 };
        var (first, _) = await Run(plan, new SearchJournal(journal), slots: 1, trainer);
        Assert.False(first.Finished);

        // A new `exp run`: a new loop that knows only the journal; the trials keep their checkpoints.
        var resumedTrainer = new FakeTrainer(plan.Scheduler.MaxEpochs, trainer.Checkpoints);
        var (second, _) = await Run(plan, new SearchJournal(journal), slots: 1, resumedTrainer);

        static string Describe(Decision d) => d is Decision.Finish finish ? "finish " + string.Join(",", finish.Pruned) : d.ToString();
        var decisions = first.Decisions.Concat(second.Decisions).Where(d => d is not Decision.Resume).Select(Describe).ToList();
        Assert.Equal(whole.Decisions.Select(Describe), decisions);
        Assert.IsType<Decision.Resume>(second.Decisions[0]);
        Assert.Equal(whole.Trials.Select(t => (t.TrialId, t.Phase, t.Last)), second.Trials.Select(t => (t.TrialId, t.Phase, t.Last)));
        Assert.Equal(wholeTrainer.EpochsTrained, trainer.EpochsTrained + resumedTrainer.EpochsTrained);
        folder.Delete(recursive: true);
    }

    [Fact]
    public void A_journal_line_cut_short_by_a_crash_is_dropped_and_the_next_one_reads_whole()
    {
        var plan = KnownFunction.Plan("random", trials: 3, startup: 0, seed: 5, scheduler: Asha, epochs: 9);
        var folder = Directory.CreateTempSubdirectory("exp-search-");
        var path = Path.Combine(folder.FullName, "decisions.jsonl");
        var journal = new SearchJournal(path);
        var trial = plan.Trials[0];
        journal.Proposed(new SearchTrial(1, trial.Id, [], 1, new Dictionary<int, double>(), SearchPhase.Running), trial);
        File.AppendAllText(path, "{\"event\":\"reached\",\"numb");
        Assert.Equal(SearchPhase.Running, Assert.Single(journal.Load().Trials).Phase);

        journal.Reached(1, 1, -0.25, completed: false);
        var reloaded = Assert.Single(journal.Load().Trials);
        Assert.Equal(SearchPhase.Paused, reloaded.Phase);
        Assert.Equal(-0.25, reloaded.Rungs[1]);
        folder.Delete(recursive: true);
    }
}
