using System.Runtime.InteropServices;

namespace Exp.Runner.Native;

/// <summary>
/// Ties a trial process to the life of the sweep that started it: when `exp run` is killed
/// (kill -9, a closed terminal), its trials die with it instead of training on unseen and
/// holding their runs, so the next `exp run` can resume them.
/// </summary>
public static partial class ParentDeath
{
    private const int PrSetPdeathsig = 1;
    private const int Sigkill = 9;

    /// <summary>Asks Linux to kill this process when its parent dies; a no-op elsewhere.</summary>
    /// <param name="expectedParent">The parent's pid: if it already died, exit now.</param>
    public static void KillThisProcessWhenParentDies(int expectedParent)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        if (prctl(PrSetPdeathsig, Sigkill, 0, 0, 0) != 0)
        {
            throw new InvalidOperationException($"prctl(PR_SET_PDEATHSIG) failed: errno {Marshal.GetLastPInvokeError()}");
        }
        // The parent may have died before the request took effect.
        if (getppid() != expectedParent)
        {
            Environment.Exit(137);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [LibraryImport("libc")]
    private static partial int getppid();
}
