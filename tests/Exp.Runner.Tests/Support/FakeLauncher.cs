using System.Collections.Concurrent;
using System.Text.Json;
using Exp.Runner.Jobs;
using Exp.Runner.Launching;
using Exp.Runner.Trials;

namespace Exp.Runner.Tests.Support;

/// <summary>What a fake trial does once submitted.</summary>
public abstract record FakeTrial
{
    /// <summary>Reports Finished with these metrics.</summary>
    public sealed record Finishes(double Elbo) : FakeTrial;

    /// <summary>Reports Failed with this reason.</summary>
    public sealed record Fails(string Reason) : FakeTrial;

    /// <summary>Reports Paused at its job's untilEpoch.</summary>
    public sealed record Pauses : FakeTrial;

    /// <summary>
    /// Trains to its job's untilEpoch (or train.epochs): a checkpoint there, then reports Paused
    /// (Finished at train.epochs) with the ELBO <paramref name="Elbo"/> gives for the config and epoch.
    /// </summary>
    public sealed record Trains(Func<Exp.Spec.TrialConfig, int, double> Elbo) : FakeTrial;

    /// <summary>Writes a checkpoint of <paramref name="Epoch"/>, then dies without a report, as a native crash does.</summary>
    public sealed record Crashes(int ExitCode, string StderrLine, int Epoch = 0) : FakeTrial;

    /// <summary>Runs until asked to stop (then reports Killed) or cancelled (then dies without a report).</summary>
    public sealed record Hangs : FakeTrial;
}

/// <summary>
/// A launcher that runs no process and trains nothing: each submitted job plays a scripted
/// <see cref="FakeTrial"/> against the job's run folder, as a real trial would leave it.
/// </summary>
public sealed class FakeLauncher(Func<TrialJob, FakeTrial> script) : ITrialLauncher
{
    public ConcurrentQueue<TrialJob> Submitted { get; } = new();

    public ITrialHandle Submit(TrialJobFile job, Action<TrialEvent> progress)
    {
        // What `exp trial --job` reads first: the file, and the config checked against the id.
        var read = TrialJob.Read(job.Path);
        read.ReadConfig(job.Path);
        Submitted.Enqueue(read);
        progress(new TrialEvent(TrialEventKind.Started, read.ResumeFromEpoch, 2, 0, 0));
        return new Handle(job.RunDirectory, script(read), read, read.ReadConfig(job.Path));
    }

    /// <summary>A checkpoint in the engine's layout: <c>latest</c> names the folder whose state.json says the epoch.</summary>
    public static void WriteCheckpoint(string runDirectory, int epoch)
    {
        var folder = Path.Combine(RunFolders.Checkpoints(runDirectory), $"epoch-{epoch:D4}");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "state.json"), JsonSerializer.Serialize(new { Epoch = epoch, Step = epoch * 10L, Metrics = new Dictionary<string, double>() }));
        File.WriteAllText(Path.Combine(RunFolders.Checkpoints(runDirectory), "latest"), Path.GetFileName(folder));
    }

    private sealed class Handle : ITrialHandle
    {
        private readonly TaskCompletionSource<TrialExit> exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly string runDirectory;

        public Handle(string runDirectory, FakeTrial behaviour, TrialJob job, Exp.Spec.TrialConfig config)
        {
            this.runDirectory = runDirectory;
            switch (behaviour)
            {
                case FakeTrial.Finishes finishes:
                    End(new TrialReport(TrialStatus.Finished, null, 2, 20, new Dictionary<string, double> { ["eval/elbo"] = finishes.Elbo }));
                    break;
                case FakeTrial.Trains trains:
                    var until = job.UntilEpoch ?? config.Train.Epochs;
                    WriteCheckpoint(runDirectory, until);
                    End(new TrialReport(
                        until < config.Train.Epochs ? TrialStatus.Paused : TrialStatus.Finished, null, until, until * 10L,
                        new Dictionary<string, double> { ["eval/elbo"] = trains.Elbo(config, until) }));
                    break;
                case FakeTrial.Fails fails:
                    End(new TrialReport(TrialStatus.Failed, fails.Reason, 0, 0, new Dictionary<string, double>()));
                    break;
                case FakeTrial.Pauses:
                    WriteCheckpoint(runDirectory, job.UntilEpoch!.Value);
                    End(new TrialReport(TrialStatus.Paused, "paused", job.UntilEpoch.Value, 10, new Dictionary<string, double>()));
                    break;
                case FakeTrial.Crashes crashes:
                    if (crashes.Epoch > 0)
                    {
                        WriteCheckpoint(runDirectory, crashes.Epoch);
                    }
                    exit.SetResult(new TrialExit(crashes.ExitCode, [crashes.StderrLine]));
                    break;
            }
        }

        public JobId Id { get; } = new("fake", "0");

        public TrialHandleState Poll() => exit.Task.IsCompleted ? TrialHandleState.Ended : TrialHandleState.Running;

        public Task<TrialExit> WaitAsync(CancellationToken cancellation) => exit.Task.WaitAsync(cancellation);

        public void RequestStop()
        {
            if (!exit.Task.IsCompleted)
            {
                End(new TrialReport(TrialStatus.Killed, "stopped by the user; resumes from its last checkpoint", 0, 0, new Dictionary<string, double>()));
            }
        }

        public void Cancel() => exit.TrySetResult(new TrialExit(137, []));

        public void Dispose()
        {
        }

        private void End(TrialReport report)
        {
            report.Write(RunFolders.OutcomeFile(runDirectory));
            exit.TrySetResult(new TrialExit(report.ExitCode, []));
        }
    }
}
