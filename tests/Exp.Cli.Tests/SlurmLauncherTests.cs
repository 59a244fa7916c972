using Exp.Catalog;
using Exp.Cli.Tests.Support;
using Exp.Engine.Objective;
using Exp.Engine.Training;
using Exp.Runner.Catalog;
using Exp.Runner.Slurm;
using Exp.Runner.Trials;
using Exp.Spec;
using Exp.Testing;
using Exp.Tracking.Model;

namespace Exp.Cli.Tests;

/// <summary>
/// `exp run --launcher slurm` against a real Slurm cluster on this host (two nodes, fake
/// GPUs), on Fashion-MNIST subsets: the sweep, a node failure, the time-limit signal,
/// detach and reattach, Ctrl-C, and the errors that must not hang.
/// </summary>
[Collection(SlurmCollection.Name)]
public sealed class SlurmLauncherTests(SlurmCluster cluster) : IDisposable
{
    private readonly Workspace workspace = new();

    /// <param name="trainImages">Images to train on; a tenth more are loaded and held out for validation.</param>
    private static string Spec(string experiment, int trainImages, int epochs, string slurm, string sweep) => $"""
        experiment: {experiment}
        data:
          dataset: fashion-mnist
          train_limit: {(int)Math.Ceiling(trainImages / 0.9)}
          test_limit: 100
        model:
          channels: [8, 16]
          latent_dim: 4
        train:
          epochs: {epochs}
          batch_size: 50
          log_every: 1
          device: cpu
        eval:
          sample_count: 4
          reconstruction_count: 4
          test_iwae_samples: 10
        execution:
          launcher: slurm
          parallel: 4
          slurm:
        {slurm}
        sweep:
          parameters:
            loss.kl_weight: {sweep}
        """;

    [Fact]
    public async Task A_sweep_runs_as_job_arrays_across_both_nodes_each_trial_with_its_own_gpu_and_results_like_a_local_run()
    {
        // MaxArraySize is 3 on the test cluster: four trials need two arrays.
        var spec = workspace.WriteSpec(Spec("slurm-sweep", 200, 1, "    cpus_per_task: 1\n    gpus_per_trial: 1", "[0.1, 0.5, 1.0, 2.0]"));

        var result = await ExpProcess.RunAsync(workspace.Directory, cluster.Environment, "run", spec);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("trials, best held-out ELBO first", result.Output);
        var runs = workspace.Store.ListRuns(workspace.ExperimentId("slurm-sweep"));
        var parent = Assert.Single(runs, run => workspace.Store.GetTags(run.RunId).ContainsKey(TrialTags.SweepId));
        Assert.Equal(RunStatus.Finished, parent.Status);
        Assert.Equal(2, workspace.Store.GetTags(parent.RunId)[SlurmTags.Arrays].Split(',').Length);
        // The sweep's report, as a local sweep writes it: an artifact of its run, named in the summary.
        var report = Path.Combine(workspace.Store.ArtifactDirectory(parent.RunId), "report.html");
        Assert.Contains($"Report: {report}", result.Output);
        var page = File.ReadAllText(report);
        var trials = workspace.Trials("slurm-sweep");
        Assert.Equal(4, trials.Count);
        foreach (var trial in trials)
        {
            Assert.Contains(trial.Run.RunId, page);
            // Each epoch's held-out metrics reached `exp run` through the trial's events, as a local trial's do (on stderr).
            Assert.Contains($"epoch    {trial.Name} 1/1: held-out ELBO -", result.Error);
            Assert.Equal(RunStatus.Finished, trial.Run.Status);
            Assert.Equal(parent.RunId, trial.SweepRunId);
            Assert.True(double.IsFinite(trial.Metrics[Metrics.Elbo]), $"{trial.Name} has no held-out ELBO");
            Assert.Matches(@"^\d+_\d$", trial.Tags[SlurmTags.Element]);
            Assert.Matches(@"^[01]$", trial.Tags[SlurmTags.Gpus]);
            Assert.Contains(workspace.Store.ListArtifacts(trial.Run.RunId), path => path.StartsWith("images/samples"));
            var log = File.ReadAllText(Path.Combine(workspace.Store.ArtifactDirectory(trial.Run.RunId), "logs", "slurm.log"));
            Assert.Contains($"element {trial.Tags[SlurmTags.Element]} on {trial.Tags[SlurmTags.Node]}", log);
        }
        Assert.Equal(["n1", "n2"], trials.Select(t => t.Tags[SlurmTags.Node]).Distinct().Order());
        // Trials that trained on one node at the same time never shared a GPU. A trial uses its GPU from its
        // first step to its last metric: runs are created at submission, and ended by `exp run` when it
        // next reads the queue, after the element and its GPU are released.
        long Trained(TrialRecord trial) => workspace.History(trial, "train/loss").Min(m => m.Timestamp);
        long LastLogged(TrialRecord trial) => workspace.Store.GetMetricKeys(trial.Run.RunId).Max(key => workspace.History(trial, key).Max(m => m.Timestamp));
        foreach (var pair in from a in trials from b in trials where string.CompareOrdinal(a.Run.RunId, b.Run.RunId) < 0 select (a, b))
        {
            var overlap = Trained(pair.a) < LastLogged(pair.b) && Trained(pair.b) < LastLogged(pair.a);
            if (overlap && pair.a.Tags[SlurmTags.Node] == pair.b.Tags[SlurmTags.Node])
            {
                Assert.NotEqual(pair.a.Tags[SlurmTags.Gpus], pair.b.Tags[SlurmTags.Gpus]);
            }
        }
    }

    [Fact]
    public async Task A_trial_on_a_node_that_dies_is_requeued_and_resumes_from_its_checkpoint_in_the_same_run()
    {
        var spec = workspace.WriteSpec(Spec("slurm-node-failure", 400, InterruptedEpochs, "    cpus_per_task: 2", "[0.1]"));
        using var exp = ExpProcess.Start(workspace.Directory, cluster.Environment, "run", spec);

        var trial = await FirstCheckpoint("slurm-node-failure");
        var node = workspace.Store.GetTags(trial.Run.RunId)[SlurmTags.Node];
        cluster.KillNode(node);
        try
        {
            // The trial's processes are dead: this is the checkpoint its requeued element resumes from.
            var killedAt = Checkpoint.TryReadState(RunFolders.Checkpoints(workspace.Store, trial.Run.RunId))!;
            Assert.True(killedAt is { Epoch: < InterruptedEpochs, Completed: false }, $"the node died after the trial's last epoch ({killedAt.Epoch}): nothing was left to resume");
            var result = await exp.WaitAsync();

            Assert.True(result.ExitCode == 0, result.ToString());
            var after = Assert.Single(workspace.Trials("slurm-node-failure"));
            Assert.Equal(trial.Run.RunId, after.Run.RunId);
            Assert.Equal(RunStatus.Finished, after.Run.Status);
            Assert.Equal("1", after.Tags[SlurmTags.Restarts]);
            Assert.NotEqual(node, after.Tags[SlurmTags.Node]);
            // The requeue and the resume reached `exp run` through the trial's events (progress is on stderr).
            Assert.Contains("kl_weight=0.1: requeued by Slurm (restart 1); it resumes from its checkpoint in the same run", result.Error);
            Assert.Contains($"resumed  kl_weight=0.1 after epoch {killedAt.Epoch} (step {killedAt.Step})", result.Error);
            var log = File.ReadAllText(Path.Combine(workspace.Store.ArtifactDirectory(after.Run.RunId), RunFolders.LogArtifactPath));
            Assert.Contains($"Resuming from the checkpoint of epoch {killedAt.Epoch} (step {killedAt.Step})", log);
            // No step twice, none missing: 8 steps per epoch (400 images, batches of 50).
            var steps = workspace.History(after, "train/loss").Select(m => m.Step).ToList();
            Assert.Equal(steps.Distinct().Count(), steps.Count);
            Assert.Equal(8 * InterruptedEpochs, steps.Max());
            Assert.Equal(Enumerable.Range(1, InterruptedEpochs), workspace.History(after, Metrics.Epoch).Select(m => (int)m.Value));
        }
        finally
        {
            cluster.StartNode(node);
        }
    }

    [Fact]
    public async Task At_the_time_limit_signal_a_trial_checkpoints_and_is_requeued_into_the_same_run()
    {
        var spec = workspace.WriteSpec(Spec("slurm-time-limit", 400, InterruptedEpochs, "    cpus_per_task: 2\n    max_time_limit_requeues: 1", "[0.1]"));
        using var exp = ExpProcess.Start(workspace.Directory, cluster.Environment, "run", spec);

        var trial = await FirstCheckpoint("slurm-time-limit");
        // What Slurm sends signal_seconds before the limit (--signal=B:USR1@N): USR1 to the batch shell.
        var element = workspace.Store.GetTags(trial.Run.RunId)[SlurmTags.Element];
        cluster.Client("scancel", "--batch", "--signal=USR1", element);
        var result = await exp.WaitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var after = Assert.Single(workspace.Trials("slurm-time-limit"));
        Assert.Equal(RunStatus.Finished, after.Run.Status);
        Assert.Equal("1", after.Tags.GetValueOrDefault(SlurmTags.TimeLimitRequeues));
        Assert.Equal("1", after.Tags[SlurmTags.Restarts]);
        var steps = workspace.History(after, "train/loss").Select(m => m.Step).ToList();
        Assert.Equal(steps.Distinct().Count(), steps.Count);
        Assert.Equal(8 * InterruptedEpochs, steps.Max());
        Assert.Equal(Enumerable.Range(1, InterruptedEpochs), workspace.History(after, Metrics.Epoch).Select(m => (int)m.Value));
        Assert.Matches($"Resuming from the checkpoint of epoch [1-{InterruptedEpochs - 1}] ", File.ReadAllText(Path.Combine(workspace.Store.ArtifactDirectory(after.Run.RunId), RunFolders.LogArtifactPath)));
    }

    [Fact]
    public async Task A_detached_sweep_is_followed_again_by_the_same_command_without_submitting_twice()
    {
        // Submitted held, so that the command follows them again from a known state: one element running, one still queued.
        var spec = workspace.WriteSpec(Spec("slurm-detach", 2000, 5, "    cpus_per_task: 1\n    sbatch: [--hold]", "[0.1, 0.5]"));

        var detached = await ExpProcess.RunAsync(workspace.Directory, cluster.Environment, "run", spec, "--detach");

        Assert.True(detached.ExitCode == 0, detached.ToString());
        Assert.Contains("Detached: the trials run in Slurm job array(s)", detached.Output);
        var parent = Assert.Single(workspace.Store.ListRuns(workspace.ExperimentId("slurm-detach")), run => workspace.Store.GetTags(run.RunId).ContainsKey(TrialTags.SweepId));
        var arrays = workspace.Store.GetTags(parent.RunId)[SlurmTags.Arrays];
        Assert.Contains($"(squeue -j {arrays})", detached.Output);
        var report = Path.Combine(workspace.Store.ArtifactDirectory(parent.RunId), "report.html");
        Assert.False(File.Exists(report), "a detached sweep is reported by the `exp run` that follows it to the end");
        var jobs = workspace.Trials("slurm-detach").ToDictionary(trial => trial.Run.RunId, JobFileText);
        var running = workspace.Trials("slurm-detach").Single(trial => trial.Name == "kl_weight=0.1");
        var element = workspace.Store.GetTags(running.Run.RunId)[SlurmTags.Element];
        cluster.Client("scontrol", "release", element);
        await WaitFor(() => workspace.Store.GetTags(running.Run.RunId).GetValueOrDefault(SlurmTags.Node), TimeSpan.FromSeconds(60));
        // Suspended (not an end), so that it cannot finish before the command below finds it in the queue.
        cluster.Client("scontrol", "suspend", element);
        await WaitFor(() => cluster.Client("squeue", "-h", "-o", "%T", "-j", element).Trim() == "SUSPENDED" ? "" : null, TimeSpan.FromSeconds(30));

        using var reattached = ExpProcess.Start(workspace.Directory, cluster.Environment, "run", spec);
        await reattached.WaitForErrorLineAsync(line => line.Contains("1 element(s) waiting for JobHeldUser"), TimeSpan.FromSeconds(60));
        cluster.Client("scontrol", "resume", element);
        cluster.Client("scontrol", "release", arrays);
        var result = await reattached.WaitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        // Followed to their end by this command (not found finished before), and not submitted again.
        Assert.Contains("finished kl_weight=0.1 in", result.Error);
        Assert.Contains("finished kl_weight=0.5 in", result.Error);
        Assert.DoesNotContain("submitted", result.Error);
        Assert.Equal(arrays, workspace.Store.GetTags(parent.RunId)[SlurmTags.Arrays]);
        // The queued element ran the job it was submitted with: nothing rewrote it while it waited.
        Assert.All(workspace.Trials("slurm-detach"), trial => Assert.Equal(jobs[trial.Run.RunId], JobFileText(trial)));
        Assert.All(workspace.Trials("slurm-detach"), trial => Assert.Equal(RunStatus.Finished, trial.Run.Status));
        Assert.Equal(RunStatus.Finished, workspace.Store.GetRun(parent.RunId).Status);
        Assert.Contains($"Report: {report}", result.Output);
        Assert.True(File.Exists(report));
    }

    [Fact]
    public async Task Ctrl_C_cancels_the_arrays_and_the_running_trial_stops_killed_to_resume_later()
    {
        var spec = workspace.WriteSpec(Spec("slurm-cancel", 1000, 20, "    cpus_per_task: 2", "[0.1, 0.5, 1.0]"));
        using var exp = ExpProcess.Start(workspace.Directory, cluster.Environment, "run", spec, "--parallel", "1");
        await WaitFor(() => workspace.Trials("slurm-cancel").FirstOrDefault(t => t.Run.Status == RunStatus.Running && Epochs(t) >= 1), TimeSpan.FromSeconds(120));

        exp.Interrupt();
        var result = await exp.WaitAsync();

        Assert.True(result.ExitCode == 130, result.ToString());
        var trials = workspace.Trials("slurm-cancel");
        Assert.Equal(3, trials.Count);
        Assert.All(trials, trial => Assert.Equal(RunStatus.Killed, trial.Run.Status));
        Assert.Single(trials, trial => Epochs(trial) >= 1);
        var parent = Assert.Single(workspace.Store.ListRuns(workspace.ExperimentId("slurm-cancel")), run => workspace.Store.GetTags(run.RunId).ContainsKey(TrialTags.SweepId));
        var arrays = workspace.Store.GetTags(parent.RunId)[SlurmTags.Arrays];
        await WaitFor(() => cluster.Client("squeue", "-h", "--array", "-j", arrays).Trim() == "" ? "" : null, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_trial_that_fails_for_its_own_reasons_is_failed_once_and_not_requeued()
    {
        var spec = workspace.WriteSpec(Spec("slurm-own-failure", 200, 1, "    cpus_per_task: 1", "[0.1]"));
        // The element inherits the submitter's environment, as sbatch's --export=ALL does: the trial aborts at step 2.
        var environment = new Dictionary<string, string>(cluster.Environment) { ["EXP_FAULT"] = "abort-at-step:2" };

        var result = await ExpProcess.RunAsync(workspace.Directory, environment, "run", spec);

        Assert.True(result.ExitCode == 1, result.ToString());
        var trial = Assert.Single(workspace.Trials("slurm-own-failure"));
        Assert.Equal(RunStatus.Failed, trial.Run.Status);
        Assert.Contains("exit code 134", trial.Tags[TrialTags.Note]);
        var log = File.ReadAllText(Path.Combine(workspace.Store.ArtifactDirectory(trial.Run.RunId), "logs", "slurm.log"));
        Assert.Single(log.Split('\n'), line => line.Contains(" element "));
        Assert.Equal("0", trial.Tags[SlurmTags.Restarts]);
    }

    [Fact]
    public async Task An_unreachable_controller_is_a_clear_error_within_seconds_not_a_hang()
    {
        var spec = workspace.WriteSpec(Spec("slurm-unreachable", 200, 1, "    cpus_per_task: 1", "[0.1]"));
        var conf = Path.Combine(workspace.Directory, "slurm.conf");
        File.WriteAllText(conf, File.ReadAllText(cluster.Environment["SLURM_CONF"]).Replace($"SlurmctldPort={cluster.Environment["EXP_SLURM_PORT"]}", "SlurmctldPort=9"));

        var result = await ExpProcess.RunAsync(workspace.Directory, new Dictionary<string, string> { ["SLURM_CONF"] = conf }, "run", spec);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("error: the Slurm controller is unreachable", result.Error);
        Assert.False(Directory.Exists(workspace.Runs), "nothing is written before Slurm answers");
    }

    [Fact]
    public async Task Without_sbatch_on_the_path_the_error_says_where_to_run_instead()
    {
        var spec = workspace.WriteSpec(Spec("slurm-missing", 200, 1, "    cpus_per_task: 1", "[0.1]"));

        var result = await ExpProcess.RunAsync(workspace.Directory, new Dictionary<string, string> { ["PATH"] = "/nonexistent" }, "run", spec);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("error: sbatch is not on PATH", result.Error);
        Assert.Contains("--launcher local", result.Error);
    }

    /// <summary>
    /// Epochs of the trials that lose their element mid-training: whatever stops them must land
    /// after the first epoch's checkpoint and before the last, a window of four epochs.
    /// </summary>
    private const int InterruptedEpochs = 5;

    /// <summary>
    /// The experiment's one trial, once its first epoch's checkpoint is complete: from here a lost
    /// trial resumes rather than starts over. The checkpoint is looked for every few milliseconds,
    /// and only it, so that what the test does next lands early in the trial's later epochs, even
    /// on a loaded machine.
    /// </summary>
    private async Task<TrialRecord> FirstCheckpoint(string experiment)
    {
        var trial = await WaitFor(() => workspace.Trials(experiment).SingleOrDefault(), TimeSpan.FromSeconds(60));
        var checkpoints = RunFolders.Checkpoints(workspace.Store, trial.Run.RunId);
        await WaitFor(() => Checkpoint.TryReadState(checkpoints), TimeSpan.FromSeconds(120), TimeSpan.FromMilliseconds(20));
        return trial;
    }

    private string JobFileText(TrialRecord trial) => File.ReadAllText(RunFolders.JobFile(workspace.Store.RunDirectory(trial.Run.RunId)));

    private int Epochs(TrialRecord trial) => workspace.History(trial, Metrics.Epoch).Count;

    private static async Task<T> WaitFor<T>(Func<T?> probe, TimeSpan timeout, TimeSpan? interval = null) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (probe() is { } found)
                {
                    return found;
                }
            }
            catch (InvalidOperationException)
            {
                // The experiment is not created yet.
            }
            catch (IOException)
            {
                // A file read while it is replaced (a checkpoint, a run's tags).
            }
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(200));
        }
        throw new TimeoutException($"nothing came within {timeout.TotalSeconds:0} s");
    }

    public void Dispose() => workspace.Dispose();
}
