using Exp.Catalog;
using Exp.Runner.Catalog;
using Exp.Runner.Jobs;
using Exp.Runner.Search;
using Exp.Runner.Sweeps;
using Exp.Runner.Tests.Support;
using Exp.Runner.Trials;
using Exp.Spec;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;

namespace Exp.Runner.Tests.Sweeps;

/// <summary>An ASHA sweep through the runner, the trial lifecycle and a fake launcher, into a real local store.</summary>
public sealed class AdaptiveSweepRunnerTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("exp-adaptive-").FullName;

    private Plan Plan(string folder) =>
        Specs.Parse($$"""
            experiment: adaptive
            tracking:
              uri: {{Path.Combine(root, folder)}}
            data:
              dataset: synthetic
            train:
              epochs: 9
            sweep:
              scheduler: {type: asha, min_epochs: 1, reduction_factor: 3}
              parameters:
                loss.kl_weight: [0.9, 0.1, 0.5, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6]
            """, "spec.yaml").Plan;

    /// <summary>Smaller KL weights do better at every epoch: kl_weight 0.1 is the best trial throughout.</summary>
    private static readonly FakeTrial Trains = new FakeTrial.Trains((config, epoch) => -100 * config.Loss.KlWeight - 10.0 / epoch);

    private static Task<SweepSummary> RunAsync(Plan plan, FakeLauncher launcher, RecordingSweepObserver observer, CancellationToken stop = default) =>
        new SweepRunner(plan, launcher, new SweepOptions { Parallel = 1, Cores = 2 }, observer).RunAsync(stop, CancellationToken.None);

    private static IReadOnlyList<TrialRecord> Trials(string folder)
    {
        var store = new FileStore(folder);
        return new RunCatalog(store).Trials(store.GetExperimentByName("adaptive")!.ExperimentId);
    }

    [Fact]
    public async Task Promoted_trials_continue_in_their_run_from_their_checkpoint_and_the_rest_end_pruned_and_finished()
    {
        var plan = Plan("a");
        var launcher = new FakeLauncher(_ => Trains);

        var summary = await RunAsync(plan, launcher, new RecordingSweepObserver());

        Assert.True(summary.AllSucceeded);
        var jobs = launcher.Submitted.ToList();
        // 9 trials to epoch 1, the best 3 on to 3, the best of those to 9: 13 segments, 9 + 3*2 + 6 = 21 epochs of 81.
        Assert.Equal(13, jobs.Count);
        Assert.Equal(21, jobs.Sum(j => j.UntilEpoch!.Value - j.ResumeFromEpoch));
        var best = plan.Trials.Single(t => t.Config.Loss.KlWeight == 0.1);
        var bestJobs = jobs.Where(j => j.TrialId == best.Id).ToList();
        Assert.Equal([(1, 0, 0), (3, 1, 1), (9, 3, 2)], bestJobs.Select(j => (j.UntilEpoch!.Value, j.ResumeFromEpoch, j.Segment)));
        Assert.Single(bestJobs.Select(j => j.RunId).Distinct());

        var trials = Trials(plan.Tracking.Uri);
        Assert.Equal(9, trials.Count);
        Assert.All(trials, t => Assert.Equal(RunStatus.Finished, t.Run.Status));
        Assert.Equal(8, trials.Count(t => t.Tags.ContainsKey(TrialTags.Pruned)));
        Assert.False(trials.Single(t => t.TrialId == best.Id).Tags.ContainsKey(TrialTags.Pruned));
        Assert.Equal(["kl_weight=0.2", "kl_weight=0.3"], trials.Where(t => t.Tags.ContainsKey(TrialTags.RungPrefix + "3") && t.TrialId != best.Id).Select(t => t.Name).Order());
        Assert.Equal(best.Id, summary.Ranked[0].Trial.Id);
        Assert.Equal(TrialResultKind.Finished, summary.Ranked[0].Kind);
        Assert.All(summary.Ranked.Skip(1), r => Assert.Equal(TrialResultKind.Pruned, r.Kind));
        Assert.True(File.Exists(Path.Combine(new FileStore(plan.Tracking.Uri).ArtifactDirectory(summary.SweepRunId!), SearchJournal.Artifact)));

        // The sweep is done: running it again launches nothing.
        var again = new FakeLauncher(_ => Trains);
        var second = await RunAsync(plan, again, new RecordingSweepObserver());
        Assert.Empty(again.Submitted);
        Assert.Equal(
            summary.Results.Select(r => (r.Trial.Id, r.Kind)).Order(),
            second.Results.Select(r => (r.Trial.Id, r.Kind == TrialResultKind.AlreadyFinished ? TrialResultKind.Finished : r.Kind)).Order());
    }

    [Fact]
    public async Task Stopped_mid_sweep_and_run_again_it_takes_the_same_decisions_and_trains_no_segment_twice()
    {
        var whole = new RecordingSweepObserver();
        var clean = new FakeLauncher(_ => Trains);
        await RunAsync(Plan("clean"), clean, whole);

        var plan = Plan("stopped");
        using var stop = new CancellationTokenSource();
        var submitted = 0;
        // The 7th segment runs until the user stops the sweep, which they do as it is submitted.
        var first = new FakeLauncher(_ =>
        {
            if (Interlocked.Increment(ref submitted) != 7)
            {
                return Trains;
            }
            stop.Cancel();
            return new FakeTrial.Hangs();
        });
        var firstObserver = new RecordingSweepObserver();
        var stopped = await RunAsync(plan, first, firstObserver, stop.Token);
        Assert.True(stopped.Stopped);

        var resumed = new FakeLauncher(_ => Trains);
        var secondObserver = new RecordingSweepObserver();
        await RunAsync(plan, resumed, secondObserver);

        static string Describe(Decision d) => d is Decision.Finish f ? "finish " + string.Join(",", f.Pruned) : d.ToString();
        Assert.IsType<Decision.Resume>(secondObserver.Decisions.First());
        Assert.Equal(
            whole.Decisions.Select(Describe),
            firstObserver.Decisions.Concat(secondObserver.Decisions).Where(d => d is not Decision.Resume).Select(Describe));
        // Every segment trained once: the stopped one was continued, not repeated from its start.
        var segments = first.Submitted.Where(j => j != first.Submitted.ElementAt(6)).Concat(resumed.Submitted)
            .Select(j => (j.TrialId, j.UntilEpoch)).ToList();
        Assert.Equal(clean.Submitted.Select(j => (j.TrialId, j.UntilEpoch)).Order(), segments.Order());
        Assert.Equal(
            Trials(Plan("clean").Tracking.Uri).Select(t => (t.TrialId, t.Run.Status, t.Tags.GetValueOrDefault(TrialTags.Pruned))).Order(),
            Trials(plan.Tracking.Uri).Select(t => (t.TrialId, t.Run.Status, t.Tags.GetValueOrDefault(TrialTags.Pruned))).Order());
    }

    [Fact]
    public async Task A_pruned_trial_whose_run_was_tagged_but_not_ended_before_a_crash_ends_finished_on_the_next_run()
    {
        var plan = Plan("tagged");
        await RunAsync(plan, new FakeLauncher(_ => Trains), new RecordingSweepObserver());
        var store = new FileStore(plan.Tracking.Uri);
        // `exp run` died after the pruning's tag landed and before its run was ended: RUNNING, as ResumeRun left it.
        var halfPruned = Trials(plan.Tracking.Uri).First(t => t.Pruning is not null);
        store.UpdateRun(halfPruned.RunId, RunStatus.Running, null);

        var again = new FakeLauncher(_ => Trains);
        await RunAsync(plan, again, new RecordingSweepObserver());

        Assert.Empty(again.Submitted);
        var ended = Trials(plan.Tracking.Uri).Single(t => t.TrialId == halfPruned.TrialId);
        Assert.Equal(RunStatus.Finished, ended.Run.Status);
        Assert.Equal(halfPruned.Tags[TrialTags.Pruned], ended.Pruning?.Why);
        Assert.Equal(9, ended.PlannedEpochs);
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
