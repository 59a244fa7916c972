namespace Exp.Runner.Launching;

/// <summary>How a trial's process ended, as its launcher saw it from outside.</summary>
/// <param name="ExitCode">128 + the signal number when a signal killed it (134: abort, 137: kill); -1 when unknown.</param>
/// <param name="ErrorTail">The last lines it wrote to stderr: what a native crash leaves behind.</param>
public sealed record TrialExit(int ExitCode, IReadOnlyList<string> ErrorTail)
{
    public string Describe() => ExitCode switch
    {
        > 128 and < 160 => $"the trial process was killed by signal {ExitCode - 128}{SignalName(ExitCode - 128)} (exit code {ExitCode})",
        < 0 => "the trial's job ended without an exit code",
        _ => $"the trial process exited with code {ExitCode}",
    };

    private static string SignalName(int signal) => signal switch
    {
        6 => " (SIGABRT: a native crash or abort)",
        9 => " (SIGKILL: out of memory, or killed)",
        11 => " (SIGSEGV: a native crash)",
        15 => " (SIGTERM)",
        _ => "",
    };
}
