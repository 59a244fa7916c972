using System.Runtime.InteropServices;

namespace Exp.Cli.Hosting;

/// <summary>
/// Ctrl-C and SIGTERM as two stages: the first asks for a graceful stop (running trials
/// checkpoint and are marked KILLED), the second, where allowed, for an immediate one.
/// </summary>
public sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly CancellationTokenSource kill = new();
    private readonly PosixSignalRegistration[] registrations;
    private int received;

    /// <param name="secondStopsAtOnce">Whether a second signal kills; a trial process always stops gracefully.</param>
    /// <param name="onFirst">Said when the first signal arrives.</param>
    public StopSignals(bool secondStopsAtOnce, Action? onFirst = null)
    {
        registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ];

        void Handle(PosixSignalContext context)
        {
            context.Cancel = true;
            if (Interlocked.Increment(ref received) == 1)
            {
                onFirst?.Invoke();
                stop.Cancel();
            }
            else if (secondStopsAtOnce)
            {
                kill.Cancel();
            }
        }
    }

    public CancellationToken Stop => stop.Token;

    public CancellationToken Kill => kill.Token;

    public void Dispose()
    {
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }
        stop.Dispose();
        kill.Dispose();
    }
}
