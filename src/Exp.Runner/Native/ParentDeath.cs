namespace Exp.Runner.Native;

/// <summary>
/// Ties a trial process to the life of the sweep that started it: when `exp run` dies
/// (kill -9, a closed terminal), its trials die with it instead of training on unseen and
/// holding their runs, so that the next `exp run` can resume them.
/// </summary>
/// <remarks>
/// The sweep holds the write end of the trial's stdin and never writes to it. The kernel
/// closes it when the sweep dies, however it dies, and the trial reads end-of-file.
/// (Linux's PR_SET_PDEATHSIG would fire when the sweep's thread that started the trial
/// ends, which in .NET's thread pool is any time.)
/// </remarks>
public static class ParentDeath
{
    /// <summary>128 + SIGKILL: the code of a trial killed with its sweep.</summary>
    public const int ExitCode = 137;

    public static void ExitWhenStdinCloses()
    {
        var watcher = new Thread(() =>
        {
            using var stdin = Console.OpenStandardInput();
            var buffer = new byte[256];
            while (stdin.Read(buffer) > 0)
            {
            }
            Environment.Exit(ExitCode);
        })
        {
            IsBackground = true,
            Name = "exp parent watch",
        };
        watcher.Start();
    }
}
