using System.Diagnostics;
using Exp.Runner.Native;
using Exp.Runner.Trials;
using Serilog;

namespace Exp.Runner.Launching;

/// <summary>
/// Runs each trial job in a child process on this machine (<c>exp trial --job FILE</c>), so
/// that a native crash, an out-of-memory kill or a hang touches no other trial and GPU memory
/// is returned when it ends. The child exits with the sweep (it watches its stdin), sees only
/// its slot's GPU, and reports progress as <see cref="TrialEvent"/> lines on its stdout.
/// </summary>
public sealed class LocalProcessLauncher(ExpExecutable exp, ILogger log) : ITrialLauncher
{
    private const int TailLines = 40;

    public ITrialHandle Submit(TrialJobFile job, Action<TrialEvent> progress)
    {
        var start = new ProcessStartInfo(exp.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in exp.LeadingArguments.Concat(["trial", "--job", job.Path, "--exit-with-parent"]))
        {
            start.ArgumentList.Add(argument);
        }
        if (job.Job.Gpu is { } gpu)
        {
            start.Environment["CUDA_VISIBLE_DEVICES"] = VisibleDevice(gpu);
        }
        return new Handle(start, progress, log.ForContext("Trial", job.Job.TrialName));
    }

    /// <summary>
    /// The device id of the <paramref name="gpu"/>-th GPU this process sees: under
    /// CUDA_VISIBLE_DEVICES=2,3, GPU 0 is device 2.
    /// </summary>
    private static string VisibleDevice(int gpu)
    {
        var visible = Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return visible is { Length: > 0 } && gpu < visible.Length ? visible[gpu] : gpu.ToString();
    }

    private sealed class Handle : ITrialHandle
    {
        private readonly Process process;
        private readonly Queue<string> tail = new();
        private readonly Task<TrialExit> exited;

        public Handle(ProcessStartInfo start, Action<TrialEvent> progress, ILogger log)
        {
            process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, line) =>
            {
                if (line.Data is null)
                {
                    return;
                }
                if (TrialEvent.TryDecode(line.Data) is { } trialEvent)
                {
                    progress(trialEvent);
                }
                else
                {
                    log.Debug("{Line}", line.Data);
                }
            };
            process.ErrorDataReceived += (_, line) =>
            {
                if (line.Data is null)
                {
                    return;
                }
                lock (tail)
                {
                    tail.Enqueue(line.Data);
                    if (tail.Count > TailLines)
                    {
                        tail.Dequeue();
                    }
                }
                log.Debug("{Line}", line.Data);
            };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            Id = new JobId("process", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            exited = WaitForExitAsync();
        }

        public JobId Id { get; }

        public TrialHandleState Poll() => exited.IsCompleted ? TrialHandleState.Ended : TrialHandleState.Running;

        public Task<TrialExit> WaitAsync(CancellationToken cancellation) => exited.WaitAsync(cancellation);

        /// <summary>SIGTERM: the trial ends its training at the next step and reports itself Killed.</summary>
        public void RequestStop()
        {
            if (!exited.IsCompleted)
            {
                Signals.AskToStop(process.Id);
            }
        }

        public void Cancel()
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It had already exited.
            }
        }

        public void Dispose() => process.Dispose();

        private async Task<TrialExit> WaitForExitAsync()
        {
            // Also waits for the end of stdout and stderr, so no event or tail line is lost.
            await process.WaitForExitAsync(CancellationToken.None);
            lock (tail)
            {
                return new TrialExit(process.ExitCode, [.. tail]);
            }
        }
    }
}
