using System.Runtime.InteropServices;

namespace Exp.Engine.Native;

/// <summary>
/// Raises glibc malloc's mmap and trim thresholds and its top pad for a process that trains. By default glibc
/// serves libtorch's large per-step buffers with fresh mmaps and hands freed memory back to the
/// OS, so every step faults its buffers in again (about 1.2 million minor page faults per
/// 20k-image epoch were counted once here); with the thresholds raised the memory is reused. That
/// measurement saw training 38% faster; the bench (bench/Exp.Bench) did not reproduce the gain on
/// a loaded machine, so see its latest results before counting on it. PyTorch users get the same effect by
/// preloading jemalloc or tcmalloc. Memory freed between epochs is handed back once per epoch
/// (<see cref="ReleaseFreeMemory"/>). It must run before libtorch allocates, so `exp` calls
/// <see cref="Apply"/> first thing in Main, in every process: `exp train`, and the `exp trial`
/// processes of a sweep, however they are launched.
/// <para>
/// <c>EXP_MALLOC_TUNING=off</c> (or <c>0</c>, <c>false</c>) leaves malloc alone, and so does a
/// <c>GLIBC_TUNABLES</c> that already sets any <c>glibc.malloc.*</c> value (the user's own tuning wins).
/// </para>
/// </summary>
public static partial class MallocTuning
{
    public const string Variable = "EXP_MALLOC_TUNING";

    /// <summary>Blocks up to this size come from the heap, not from mmap: glibc's largest allowed value on 64-bit.</summary>
    public const int MmapThreshold = 32 * 1024 * 1024;

    /// <summary>Free memory at the top of the heap is returned to the OS only above this size.</summary>
    public const int TrimThreshold = 512 * 1024 * 1024;

    /// <summary>
    /// What a thread arena keeps when one of its heaps empties: one whole heap (64 MiB, glibc's
    /// HEAP_MAX_SIZE on 64-bit). The trainer runs on a thread of its own, and its allocations land in
    /// a thread arena, which glibc grows in separate 64 MiB heaps and, by default, unmaps a heap
    /// whole as soon as it holds nothing (heap_trim, whatever the trim threshold). A step or a decoded
    /// chunk whose buffers spill into a fresh heap then maps and faults in that heap again every
    /// time: in 11 of 24 trials of three Quick start sweeps an epoch or an evaluation phase took
    /// 100,000 to 626,000 minor faults (about 10 us each on the machines here) where the others took
    /// under 35,000, and such epochs ran 12.0 s against 8.8 s (medians), the test evaluation up to
    /// 7.6 s against about 4 s. glibc keeps an empty heap when the heap before it has the top pad
    /// free, which with a whole heap of pad is always: one `exp train` of the main example unmapped
    /// 1,218 heaps without it, 3 with it.
    /// </summary>
    public const int TopPad = 64 * 1024 * 1024;

    /// <summary>
    /// No more arenas than the ones that exist: threads started after Main (OpenMP's, the
    /// recorder's) share those. It does not move the trainer's thread to the main arena: the
    /// runtime's threads made theirs before Main, and a new thread takes one of them.
    /// </summary>
    public const int ArenaMax = 1;

    // mallopt's parameter numbers, from glibc's malloc.h.
    private const int MTrimThreshold = -1;
    private const int MTopPad = -2;
    private const int MMmapThreshold = -3;
    private const int MArenaMax = -8;

    private static bool tuned;

    public enum Decision
    {
        Tune,
        TurnedOff,
        LeftToGlibcTunables,
        NotGlibc,
    }

    /// <summary>Whether this process's environment asks for the tuning (pure; <see cref="Apply"/> acts on it).</summary>
    public static Decision Decide(Func<string, string?> environment)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Decision.NotGlibc;
        }
        if (environment(Variable)?.Trim().ToLowerInvariant() is "off" or "0" or "false" or "no")
        {
            return Decision.TurnedOff;
        }
        return environment("GLIBC_TUNABLES")?.Contains("glibc.malloc.", StringComparison.Ordinal) == true
            ? Decision.LeftToGlibcTunables
            : Decision.Tune;
    }

    /// <summary>Applies the tuning if the environment asks for it; returns what was decided.</summary>
    public static Decision Apply()
    {
        var decision = Decide(Environment.GetEnvironmentVariable);
        if (decision != Decision.Tune)
        {
            return decision;
        }
        try
        {
            // mallopt returns 1 on success, 0 when glibc refuses a value (then nothing is known to be tuned).
            tuned = mallopt(MMmapThreshold, MmapThreshold) == 1 && mallopt(MTrimThreshold, TrimThreshold) == 1 && mallopt(MTopPad, TopPad) == 1
                && mallopt(MArenaMax, ArenaMax) == 1;
            return tuned ? Decision.Tune : Decision.NotGlibc;
        }
        catch (Exception notGlibc) when (notGlibc is DllNotFoundException or EntryPointNotFoundException)
        {
            // musl and other C libraries have no mallopt: nothing to tune.
            return Decision.NotGlibc;
        }
    }

    /// <summary>
    /// Returns the free memory of malloc's heaps to the OS (malloc_trim). The raised trim threshold
    /// keeps freed memory for the next step; the trainer calls this once per epoch, after evaluation,
    /// pictures and checkpoint, so that memory they freed does not pile up over a long run.
    /// </summary>
    public static void ReleaseFreeMemory()
    {
        if (!tuned)
        {
            return;
        }
        _ = malloc_trim(0);
    }

    [LibraryImport("libc")]
    private static partial int mallopt(int parameter, int value);

    [LibraryImport("libc")]
    private static partial int malloc_trim(nuint pad);
}
