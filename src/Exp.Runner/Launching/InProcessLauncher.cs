using Exp.Runner.Jobs;
using Exp.Runner.Trials;

namespace Exp.Runner.Launching;

/// <summary>
/// Runs a trial job in this process, through the same worker that <c>exp trial --job</c>
/// runs: how <c>exp train</c> trains, with its progress on this console. A job cannot be
/// killed here, only stopped; the caller ends the process for an immediate stop.
/// </summary>
public sealed class InProcessLauncher(TrialWorkerOptions options) : ITrialLauncher
{
    public ITrialHandle Submit(TrialJobFile job, Action<TrialEvent> progress) => new Handle(job, progress, options);

    private sealed class Handle : ITrialHandle
    {
        private readonly CancellationTokenSource stop = new();
        private readonly Task<TrialExit> ended;

        public Handle(TrialJobFile job, Action<TrialEvent> progress, TrialWorkerOptions options)
        {
            ended = RunAsync(job, progress, options);
        }

        public JobId Id { get; } = new("in-process", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        public TrialHandleState Poll() => ended.IsCompleted ? TrialHandleState.Ended : TrialHandleState.Running;

        public Task<TrialExit> WaitAsync(CancellationToken cancellation) => ended.WaitAsync(cancellation);

        public void RequestStop() => stop.Cancel();

        public void Cancel() => stop.Cancel();

        public void Dispose() => stop.Dispose();

        private async Task<TrialExit> RunAsync(TrialJobFile job, Action<TrialEvent> progress, TrialWorkerOptions options)
        {
            try
            {
                // Off the caller's thread, so that a console view stays live while it trains.
                var report = await Task.Run(() => TrialWorker.RunAsync(job, progress, options, stop.Token), CancellationToken.None);
                return new TrialExit(report.ExitCode, []);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidDataException or InvalidOperationException)
            {
                // What a trial process would print on stderr before exiting without a report.
                return new TrialExit(1, [$"error: {error.Message}"]);
            }
        }
    }
}
