using System.Collections.Concurrent;
using System.Text.Json;
using Exp.Runner.Jobs;
using Exp.Runner.Launching;
using Exp.Runner.Trials;

namespace Exp.Runner.Tests.Launching;

/// <summary>The local launcher against real processes: a shell stands in for `exp trial`.</summary>
public sealed class LocalProcessLauncherTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("exp-launcher-").FullName;

    private TrialJobFile Job(int? gpu = null) => new(Path.Combine(root, "job.json"), new TrialJob
    {
        TrialId = "t", TrialName = "t", Experiment = "e", ExperimentId = "1", RunId = "r", RunDirectory = root,
        Tracking = new JobTracking(root, null), Config = JsonDocument.Parse("{}").RootElement, Gpu = gpu,
    });

    /// <summary>`sh -c SCRIPT` gets the launcher's arguments (trial --job FILE --exit-with-parent) as $0, $1, ...</summary>
    private static LocalProcessLauncher Shell(string script) =>
        new(new ExpExecutable("/bin/sh", ["-c", script]), Serilog.Core.Logger.None);

    [Fact]
    public async Task A_job_runs_as_exp_trial_with_its_file_and_reports_progress_exit_and_stderr()
    {
        var events = new ConcurrentQueue<TrialEvent>();
        var started = new TrialEvent(TrialEventKind.Started, 0, 2, 0, 0).Encode();
        var launcher = Shell($"echo '{started}'; echo \"$0 $1 $2 $3 gpu=$CUDA_VISIBLE_DEVICES\" >&2; exit 3");

        using var handle = launcher.Submit(Job(gpu: 0), events.Enqueue);
        var exit = await handle.WaitAsync(CancellationToken.None);

        Assert.Equal(TrialHandleState.Ended, handle.Poll());
        Assert.Equal(3, exit.ExitCode);
        Assert.Equal([$"trial --job {Path.Combine(root, "job.json")} --exit-with-parent gpu=0"], exit.ErrorTail);
        Assert.Equal(TrialEventKind.Started, Assert.Single(events).Kind);
    }

    [Fact]
    public async Task Stopping_asks_with_sigterm_and_cancelling_kills()
    {
        // The shell turns SIGTERM into exit 143 of its own; a kill gives 137.
        using (var stopped = Shell("trap 'exit 143' TERM; while true; do sleep 0.05; done").Submit(Job(), _ => { }))
        {
            await Task.Delay(300);
            Assert.Equal(TrialHandleState.Running, stopped.Poll());
            stopped.RequestStop();
            Assert.Equal(143, (await stopped.WaitAsync(CancellationToken.None)).ExitCode);
        }
        using var cancelled = Shell("trap '' TERM; while true; do sleep 0.05; done").Submit(Job(), _ => { });
        cancelled.Cancel();
        Assert.Equal(137, (await cancelled.WaitAsync(CancellationToken.None)).ExitCode);
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
