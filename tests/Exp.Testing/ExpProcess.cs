using System.Diagnostics;
using System.Text;

namespace Exp.Testing;

/// <summary>The `exp` command built beside the tests (of a test project that references Exp.Cli), run as users run it: a process in a folder.</summary>
public sealed class ExpProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly StringBuilder error = new();

    private ExpProcess(string workingDirectory, IReadOnlyDictionary<string, string> environment, string[] arguments)
        : this(StartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "exp.dll"), .. arguments], workingDirectory, environment.Select(pair => KeyValuePair.Create(pair.Key, (string?)pair.Value))))
    {
    }

    private ExpProcess(ProcessStartInfo start)
    {
        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Append(output, line.Data);
        process.ErrorDataReceived += (_, line) => Append(error, line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>
    /// A command line as a user types it, under <c>bash -o pipefail -c</c> (the doc test runs the pages' commands so). An
    /// environment value of null removes that variable.
    /// </summary>
    public static ExpProcess Shell(string workingDirectory, IReadOnlyDictionary<string, string?> environment, string command) =>
        new(StartInfo("bash", ["-o", "pipefail", "-c", command], workingDirectory, environment));

    private static ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments, string workingDirectory, IEnumerable<KeyValuePair<string, string?>> environment)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["CI"] = "true";
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }
        return start;
    }

    public static ExpProcess Start(string workingDirectory, params string[] arguments) => new(workingDirectory, new Dictionary<string, string>(), arguments);

    public static ExpProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        new(workingDirectory, environment, arguments);

    public static async Task<ExpResult> RunAsync(string workingDirectory, params string[] arguments)
    {
        using var exp = Start(workingDirectory, arguments);
        return await exp.WaitAsync();
    }

    public static async Task<ExpResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        using var exp = Start(workingDirectory, environment, arguments);
        return await exp.WaitAsync();
    }

    /// <summary>
    /// Waits for the process to exit. The limit only stops a hang: a healthy run on a loaded machine can take many times
    /// its usual time, so the default is generous (20 minutes).
    /// </summary>
    public async Task<ExpResult> WaitAsync(TimeSpan? limit = null)
    {
        using var timeout = new CancellationTokenSource(limit ?? TimeSpan.FromMinutes(20));
        await process.WaitForExitAsync(timeout.Token);
        process.WaitForExit(); // drains the output handlers
        lock (output)
        {
            return new ExpResult(process.ExitCode, output.ToString(), error.ToString());
        }
    }

    /// <summary>The first line of standard output that matches, as soon as it is printed.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout) => WaitForLineAsync(output, match, timeout);

    /// <summary>The first line of standard error (progress, notices, logs) that matches, as soon as it is printed.</summary>
    public Task<string> WaitForErrorLineAsync(Func<string, bool> match, TimeSpan timeout) => WaitForLineAsync(error, match, timeout);

    private async Task<string> WaitForLineAsync(StringBuilder stream, Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            lock (output)
            {
                if (stream.ToString().Split('\n').FirstOrDefault(line => match(line.TrimEnd('\r'))) is { } line)
                {
                    return line.TrimEnd('\r');
                }
            }
            if (process.HasExited)
            {
                break;
            }
            await Task.Delay(50);
        }
        lock (output)
        {
            throw new TimeoutException($"no such line from exp within {timeout}; exited: {process.HasExited}\n--- stdout\n{output}\n--- stderr\n{error}");
        }
    }

    /// <summary>SIGINT, as Ctrl-C would (to this process only, not its process group).</summary>
    public void Interrupt()
    {
        using var kill = Process.Start("kill", ["-INT", process.Id.ToString()]);
        kill.WaitForExit();
    }

    /// <summary>SIGKILL, as `kill -9` would: no handler runs, nothing is flushed.</summary>
    public void KillHard() => process.Kill(entireProcessTree: false);

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
        process.Dispose();
    }

    private void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            builder.AppendLine(line);
        }
    }
}

public sealed record ExpResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit code {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
