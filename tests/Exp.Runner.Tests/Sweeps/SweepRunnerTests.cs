using System.Text.Json.Nodes;
using Exp.Catalog;
using Exp.Runner.Catalog;
using Exp.Runner.Jobs;
using Exp.Runner.Launching;
using Exp.Runner.Sweeps;
using Exp.Runner.Tests.Support;
using Exp.Runner.Trials;
using Exp.Spec;
using Exp.Tracking;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;

namespace Exp.Runner.Tests.Sweeps;

/// <summary>The sweep loop and the trial lifecycle, against a fake launcher and a real local store: no process, no training.</summary>
public sealed class SweepRunnerTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("exp-runner-").FullName;

    private Plan Plan(params string[] overrides)
    {
        var result = Specs.Parse($$"""
            experiment: unit
            tracking:
              uri: {{root}}
            data:
              dataset: synthetic
            sweep:
              parameters:
                loss.kl_weight: [0.1, 0.5, 1.0]
            """, "spec.yaml", overrides);
        Assert.True(result.Succeeded, string.Join('\n', result.Errors.Select(e => e.ToString())));
        return result.Plan;
    }

    private static Task<SweepSummary> RunAsync(
        Plan plan, ITrialLauncher launcher, int? maxFailures = null, ISweepObserver? observer = null, CancellationToken stop = default) =>
        new SweepRunner(plan, launcher, new SweepOptions { Parallel = 1, MaxFailures = maxFailures, Cores = 2 }, observer ?? new RecordingSweepObserver())
            .RunAsync(stop, CancellationToken.None);

    private FileStore Store => new(root);

    private IReadOnlyList<TrialRecord> Trials() => new RunCatalog(Store).Trials(Store.GetExperimentByName("unit")!.ExperimentId);

    private TrialRecord Trial(string name) => Trials().Single(t => t.Name == name);

    [Fact]
    public async Task Each_trial_is_handed_over_as_a_job_and_its_run_ended_from_the_report()
    {
        var plan = Plan();
        var launcher = new FakeLauncher(job => new FakeTrial.Finishes(-100 - job.TrialName.Length));

        var summary = await RunAsync(plan, launcher);

        Assert.True(summary.AllSucceeded);
        Assert.Equal(plan.Trials.Select(t => t.Id), launcher.Submitted.Select(j => j.TrialId));
        var sweepRun = Store.GetRun(summary.SweepRunId!);
        Assert.Equal(RunStatus.Finished, sweepRun.Status);
        foreach (var trial in plan.Trials)
        {
            var record = Trial(trial.Name);
            var job = TrialJob.Read(RunFolders.JobFile(Store.RunDirectory(record.Run.RunId)));
            Assert.Equal(trial.Id, job.TrialId);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(trial.ConfigJson), JsonNode.Parse(job.Config.GetRawText())));
            Assert.Equal((record.Run.RunId, summary.SweepRunId, 0, 0), (job.RunId, job.ParentRunId, job.ResumeFromEpoch, job.Segment));
            Assert.Equal(RunStatus.Finished, record.Run.Status);
            Assert.Equal(summary.SweepRunId, record.SweepRunId);
            Assert.Equal(trial.Params.Select(p => (p.Key, p.Value)), Store.GetParams(record.Run.RunId).Select(p => (p.Key, p.Value)).OrderBy(p => Array.FindIndex(trial.Params, q => q.Key == p.Key)));
            // The store holds no metric: the result's come from the trial's report, not from re-reading the run.
            Assert.Empty(Store.GetMetricKeys(record.Run.RunId));
            Assert.Equal(-100 - trial.Name.Length, summary.Results.Single(r => r.Trial.Id == trial.Id).Metrics["eval/elbo"]);
        }
    }

    [Fact]
    public async Task A_crashed_trial_fails_alone_with_its_exit_and_stderr_and_the_next_run_resumes_it_in_the_same_run()
    {
        var plan = Plan();
        var crashing = plan.Trials[1];
        var first = await RunAsync(plan, new FakeLauncher(job =>
            job.TrialId == crashing.Id ? new FakeTrial.Crashes(134, "free(): invalid pointer", Epoch: 1) : new FakeTrial.Finishes(-100)));

        Assert.False(first.AllSucceeded);
        Assert.Equal([TrialResultKind.Finished, TrialResultKind.Failed, TrialResultKind.Finished], first.Results.Select(r => r.Kind));
        var failed = Trial(crashing.Name);
        Assert.Equal(RunStatus.Failed, failed.Run.Status);
        Assert.Contains("killed by signal 6 (SIGABRT", failed.Failure);
        Assert.Contains("free(): invalid pointer", failed.Tags[TrialTags.Note]);
        Assert.Contains("logs/stderr-tail.txt", Store.ListArtifacts(failed.Run.RunId));
        Assert.Equal(RunStatus.Failed, Store.GetRun(first.SweepRunId!).Status);

        var lifecycle = new TrialLifecycle(Tracker.Open(new TrackingTarget(root, null)), new TrialLifecycleOptions
        {
            Experiment = "unit", ExperimentId = failed.Run.ExperimentId, SourceName = "spec.yaml", Objective = plan.Objective,
        });
        Assert.Equal(
            [DispositionKind.Skip, DispositionKind.Resume, DispositionKind.Skip],
            plan.Trials.Select(t => lifecycle.Disposition(t).Kind));
        Assert.Equal(1, lifecycle.Disposition(crashing).ResumeEpoch);

        var launcher = new FakeLauncher(_ => new FakeTrial.Finishes(-90));
        var second = await RunAsync(plan, launcher);

        Assert.True(second.AllSucceeded);
        var resumed = Assert.Single(launcher.Submitted);
        Assert.Equal((crashing.Id, failed.Run.RunId, 1, 1), (resumed.TrialId, resumed.RunId, resumed.ResumeFromEpoch, resumed.Segment));
        Assert.Equal([TrialResultKind.AlreadyFinished, TrialResultKind.Finished, TrialResultKind.AlreadyFinished], second.Results.Select(r => r.Kind));
        Assert.Equal(3, Trials().Count);
        var after = Trial(crashing.Name);
        Assert.Equal(RunStatus.Finished, after.Run.Status);
        Assert.Null(after.Failure);
        Assert.Equal("", after.Tags[TrialTags.Failure]);
        Assert.Equal(first.SweepRunId, second.SweepRunId);
    }

    [Fact]
    public async Task Max_failures_stops_launching_and_the_rest_are_not_run()
    {
        var launcher = new FakeLauncher(_ => new FakeTrial.Fails("the loss became NaN at step 3"));

        var summary = await RunAsync(Plan(), launcher, maxFailures: 1);

        Assert.Single(launcher.Submitted);
        Assert.Equal([TrialResultKind.Failed, TrialResultKind.NotRun, TrialResultKind.NotRun], summary.Results.Select(r => r.Kind));
        Assert.All(summary.Results.Skip(1), r => Assert.Equal("--max-failures 1 was reached", r.Reason));
        var failed = Assert.Single(Trials());
        Assert.Equal(RunStatus.Failed, failed.Run.Status);
        Assert.Equal("the loss became NaN at step 3", failed.Failure);
    }

    [Fact]
    public async Task A_trial_over_its_time_limit_is_cancelled_and_failed_while_the_sweep_goes_on()
    {
        // Only here: a limit this short could also fail a trial that ends at once on a loaded machine.
        var plan = Plan("execution.trial_timeout_minutes=0.002");
        var summary = await RunAsync(plan, new FakeLauncher(job => job.TrialId == plan.Trials[0].Id ? new FakeTrial.Hangs() : new FakeTrial.Finishes(-100)));

        Assert.Equal([TrialResultKind.Failed, TrialResultKind.Finished, TrialResultKind.Finished], summary.Results.Select(r => r.Kind));
        var timedOut = Trial(plan.Trials[0].Name);
        Assert.Equal(RunStatus.Failed, timedOut.Run.Status);
        Assert.Contains("did not finish within execution.trial_timeout_minutes (0.002 min)", timedOut.Failure);
    }

    [Fact]
    public async Task Ctrl_c_stops_the_running_trial_gracefully_as_killed_and_launches_no_more()
    {
        using var stop = new CancellationTokenSource();
        var observer = new RecordingSweepObserver { OnTrialStarted = _ => stop.Cancel() };

        var summary = await RunAsync(Plan(), new FakeLauncher(_ => new FakeTrial.Hangs()), observer: observer, stop: stop.Token);

        Assert.True(summary.Stopped);
        Assert.Equal([TrialResultKind.Killed, TrialResultKind.NotRun, TrialResultKind.NotRun], summary.Results.Select(r => r.Kind));
        Assert.All(summary.Results.Skip(1), r => Assert.Equal("the sweep was stopped", r.Reason));
        var killed = Assert.Single(Trials());
        Assert.Equal(RunStatus.Killed, killed.Run.Status);
        Assert.Contains("stopped by the user", killed.Failure);
        Assert.Equal(RunStatus.Killed, Store.GetRun(summary.SweepRunId!).Status);
    }

    [Fact]
    public async Task A_trial_claimed_by_another_sweep_is_left_to_it()
    {
        var plan = Plan();
        var experimentId = Store.GetOrCreateExperiment("unit").ExperimentId;
        using var otherSweep = FileLock.TryAcquire(Path.Combine(root, experimentId, $".trial-{plan.Trials[0].Id}.lock"));
        var launcher = new FakeLauncher(_ => new FakeTrial.Finishes(-100));

        var summary = await RunAsync(plan, launcher);

        Assert.Equal(plan.Trials.Skip(1).Select(t => t.Id), launcher.Submitted.Select(j => j.TrialId));
        var elsewhere = summary.Results[0];
        Assert.Equal((TrialResultKind.RunningElsewhere, "another `exp run` is running it"), (elsewhere.Kind, elsewhere.Reason));
        Assert.True(summary.AllSucceeded);
    }

    [Fact]
    public async Task A_changed_spec_makes_new_trials_and_a_job_runs_only_the_config_it_was_written_with()
    {
        await RunAsync(Plan(), new FakeLauncher(_ => new FakeTrial.Finishes(-100)));
        var launcher = new FakeLauncher(_ => new FakeTrial.Finishes(-100));

        var changed = Plan("train.epochs=3");
        await RunAsync(changed, launcher);

        Assert.Equal(changed.Trials.Select(t => t.Id), launcher.Submitted.Select(j => j.TrialId));
        Assert.All(launcher.Submitted, job => Assert.Equal(3, job.ReadConfig("job.json").Train.Epochs));
        Assert.Equal(6, Trials().Count);

        var path = RunFolders.JobFile(launcher.Submitted.First().RunDirectory);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"epochs\": 3", "\"epochs\": 4"));
        var edited = Assert.Throws<InvalidDataException>(() => TrialJob.Read(path).ReadConfig(path));
        Assert.Contains($"not {changed.Trials[0].Id}", edited.Message);
    }

    [Fact]
    public void A_job_file_from_another_version_or_with_a_wrong_config_is_refused_with_its_path()
    {
        var path = Path.Combine(root, "job.json");
        File.WriteAllText(path, """{"schema": 1, "trialId": "x", "surprise": true}""");
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => TrialJob.Read(path)).Message);

        var trial = Plan().Trials[0];
        var job = new TrialJob
        {
            TrialId = trial.Id, TrialName = trial.Name, Experiment = "unit", ExperimentId = "1", RunId = "r", RunDirectory = root,
            Tracking = new JobTracking(root, null),
            Config = System.Text.Json.JsonDocument.Parse(trial.ConfigJson.Replace("\"latent_dim\": 16", "\"latent_dim\": 0")).RootElement,
        };
        job.Write(path);
        var error = Assert.Throws<InvalidDataException>(() => TrialJob.Read(path).ReadConfig(path));
        Assert.Contains("model.latent_dim: must be at least 1, found 0", error.Message);
    }

    [Fact]
    public async Task A_trial_paused_at_its_budget_is_scheduled_and_resumes_from_that_epoch()
    {
        var plan = Plan();
        await using var tracker = Tracker.Open(new TrackingTarget(root, null));
        var lifecycle = new TrialLifecycle(tracker, new TrialLifecycleOptions
        {
            Experiment = "unit", ExperimentId = tracker.GetOrCreateExperiment("unit").ExperimentId, SourceName = "spec.yaml", Objective = plan.Objective,
        });
        var trial = plan.Trials[0];
        var job = lifecycle.Prepare(trial, TrialDisposition.New, new TrialPlacement(Threads: 1, Gpu: null, UntilEpoch: 1));
        using var handle = new FakeLauncher(_ => new FakeTrial.Pauses()).Submit(job, _ => { });

        var result = await lifecycle.EndAsync(trial, job, await handle.WaitAsync(CancellationToken.None), new TrialEnding(false, false, TimeSpan.Zero));

        Assert.Equal(TrialResultKind.Paused, result.Kind);
        Assert.False(result.IsFailure);
        Assert.Equal(RunStatus.Scheduled, Store.GetRun(job.Job.RunId).Status);
        var next = lifecycle.Disposition(trial);
        Assert.Equal((DispositionKind.Resume, 1), (next.Kind, next.ResumeEpoch));
    }

    [Fact]
    public async Task One_trial_on_its_own_gets_a_new_run_without_a_parent_each_time()
    {
        var plan = Plan();
        var launcher = new FakeLauncher(_ => new FakeTrial.Finishes(-100));

        var first = await OneTrialRun.RunAsync(plan, plan.Base, launcher, threads: 2, _ => { }, Serilog.Core.Logger.None, CancellationToken.None);
        var second = await OneTrialRun.RunAsync(plan, plan.Base, launcher, threads: 2, _ => { }, Serilog.Core.Logger.None, CancellationToken.None);

        Assert.Equal((TrialResultKind.Finished, TrialResultKind.Finished), (first.Kind, second.Kind));
        Assert.NotEqual(first.RunId, second.RunId);
        Assert.All(launcher.Submitted, job => Assert.Equal((null, 2, (int?)null), (job.ParentRunId, job.Threads, job.Gpu)));
        Assert.All(Trials(), t => Assert.Equal((RunStatus.Finished, (string?)null), (t.Run.Status, t.SweepRunId)));
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
