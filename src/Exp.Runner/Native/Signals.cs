using System.Runtime.InteropServices;

namespace Exp.Runner.Native;

/// <summary>
/// Asks a trial process to stop gracefully. SIGTERM, not SIGINT: a shell starts background
/// jobs with SIGINT ignored, and their children inherit that, so SIGINT would not reach a
/// trial of an `exp run` started from a script.
/// </summary>
public static partial class Signals
{
    private const int Sigterm = 15;

    public static void AskToStop(int processId)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        _ = kill(processId, Sigterm);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
