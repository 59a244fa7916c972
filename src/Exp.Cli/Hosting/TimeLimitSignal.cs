using System.Runtime.InteropServices;

namespace Exp.Cli.Hosting;

/// <summary>
/// SIGUSR1, which Slurm sends `--signal=B:USR1@N` seconds before an element's time limit
/// (the job script passes it on to the trial): time to checkpoint and ask for a requeue.
/// </summary>
public sealed class TimeLimitSignal : IDisposable
{
    /// <summary>SIGUSR1 on Linux; .NET takes raw signal numbers cast to PosixSignal.</summary>
    private const int SigUsr1 = 10;

    private readonly CancellationTokenSource reached = new();
    private readonly PosixSignalRegistration registration;

    public TimeLimitSignal()
    {
        registration = PosixSignalRegistration.Create((PosixSignal)SigUsr1, context =>
        {
            context.Cancel = true;
            reached.Cancel();
        });
    }

    public CancellationToken Reached => reached.Token;

    public void Dispose()
    {
        registration.Dispose();
        reached.Dispose();
    }
}
