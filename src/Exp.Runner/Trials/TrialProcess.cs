using System.Diagnostics;
using Exp.Runner.Native;
using Serilog;

namespace Exp.Runner.Trials;

/// <summary>How a trial process ended, as `exp run` saw it from outside.</summary>
/// <param name="ExitCode">128 + the signal number when a signal killed it (134: abort, 137: kill).</param>
/// <param name="ErrorTail">The last lines it wrote to stderr: what a native crash leaves behind.</param>
public sealed record TrialProcessExit(int ExitCode, IReadOnlyList<string> ErrorTail)
{
    public string Describe() => ExitCode switch
    {
        > 128 and < 160 => $"the trial process was killed by signal {ExitCode - 128}{SignalName(ExitCode - 128)} (exit code {ExitCode})",
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

/// <summary>
/// Runs one trial in a child process (`exp trial ...`), so that a native crash, an
/// out-of-memory kill or a hang touches no other trial and GPU memory is returned when it
/// ends. Progress arrives as <see cref="TrialEvent"/> lines on the child's stdout.
/// </summary>
public static class TrialProcess
{
    private const int TailLines = 40;

    /// <param name="stop">Asks the trial to stop gracefully (SIGTERM: it ends its run KILLED).</param>
    /// <param name="kill">Ends it at once.</param>
    public static async Task<TrialProcessExit> RunAsync(
        ExpExecutable command,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        Action<TrialEvent> onEvent,
        ILogger log,
        CancellationToken stop,
        CancellationToken kill)
    {
        var start = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.LeadingArguments.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var tail = new Queue<string>();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                return;
            }
            if (TrialEvent.TryDecode(line.Data) is { } trialEvent)
            {
                onEvent(trialEvent);
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
        using var onStop = stop.Register(() => Signals.AskToStop(process.Id));
        using var onKill = kill.Register(() => KillQuietly(process));
        await process.WaitForExitAsync(CancellationToken.None);
        lock (tail)
        {
            return new TrialProcessExit(process.ExitCode, [.. tail]);
        }
    }

    private static void KillQuietly(Process process)
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
}
