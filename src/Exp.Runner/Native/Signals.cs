using System.Runtime.InteropServices;

namespace Exp.Runner.Native;

/// <summary>
/// Sends SIGINT to a trial process: the graceful stop a terminal's Ctrl-C gives, also when
/// `exp run` itself was interrupted by a signal that its children did not see.
/// </summary>
public static partial class Signals
{
    private const int Sigint = 2;

    public static void Interrupt(int processId)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        _ = kill(processId, Sigint);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
