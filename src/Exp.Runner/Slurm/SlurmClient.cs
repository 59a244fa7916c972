using System.Diagnostics;
using System.Globalization;

namespace Exp.Runner.Slurm;

/// <summary>
/// Slurm's command-line clients (sbatch, squeue, scontrol, scancel), each call bounded in
/// time: a controller that does not answer is an error that says so, never a hang.
/// </summary>
public sealed class SlurmClient(TimeSpan timeout)
{
    public SlurmClient() : this(TimeSpan.FromSeconds(30))
    {
    }

    /// <summary>Fails with what to do when sbatch is not installed here.</summary>
    public static void EnsureInstalled()
    {
        foreach (var tool in new[] { "sbatch", "squeue", "scontrol", "scancel" })
        {
            if (FindOnPath(tool) is null)
            {
                throw new SlurmException(
                    $"{tool} is not on PATH: `exp run --launcher slurm` submits from a machine with Slurm's clients (a login node); "
                    + "install them (apt-get install slurm-client) or run with --launcher local");
            }
        }
    }

    /// <summary>The cluster's configuration; the first call, so an unreachable controller is found before anything is written.</summary>
    public async Task<ClusterConfig> ConfigAsync(CancellationToken cancellation)
    {
        var output = await RunAsync("scontrol", ["show", "config"], cancellation);
        return ClusterConfig.Parse(output);
    }

    /// <summary>Submits a script; returns the job id. <paramref name="after"/>: start only once that job has ended.</summary>
    public async Task<string> SubmitAsync(string scriptPath, string? after, CancellationToken cancellation)
    {
        List<string> arguments = ["--parsable"];
        if (after is not null)
        {
            arguments.Add($"--dependency=afterany:{after}");
        }
        arguments.Add(scriptPath);
        var output = await RunAsync("sbatch", arguments, cancellation);
        // --parsable prints `id` or `id;cluster`.
        var id = output.Trim().Split(';')[0];
        return long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? id
            : throw new SlurmException($"sbatch answered '{output.Trim()}' instead of a job id");
    }

    public async Task<IReadOnlyList<QueueEntry>> QueueAsync(IReadOnlyCollection<string> arrayJobIds, CancellationToken cancellation)
    {
        if (arrayJobIds.Count == 0)
        {
            return [];
        }
        try
        {
            return QueueEntry.Parse(await RunAsync("squeue", QueueEntry.SqueueArguments(arrayJobIds), cancellation));
        }
        catch (SlurmException error) when (error.Message.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
        {
            // Jobs the controller no longer knows (ended more than MinJobAge ago).
            return [];
        }
    }

    /// <summary>Sends a signal to running elements (and their batch shells), leaving the jobs to end by themselves.</summary>
    public Task SignalAsync(IEnumerable<string> jobIds, string signal, CancellationToken cancellation) =>
        RunAsync("scancel", ["--full", $"--signal={signal}", .. jobIds], cancellation);

    /// <summary>Cancels jobs; with <paramref name="pendingOnly"/>, only the elements that have not started.</summary>
    public Task CancelAsync(IEnumerable<string> jobIds, bool pendingOnly, CancellationToken cancellation) =>
        RunAsync("scancel", pendingOnly ? ["--state=PENDING", .. jobIds] : [.. jobIds], cancellation);

    private async Task<string> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellation)
    {
        var path = FindOnPath(tool) ?? throw new SlurmException($"{tool} is not on PATH; install Slurm's clients (apt-get install slurm-client)");
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new SlurmException($"{tool} could not be started");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellation);
        var error = process.StandardError.ReadToEndAsync(cancellation);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellation.ThrowIfCancellationRequested();
            throw new SlurmException(
                $"`{tool} {string.Join(' ', arguments)}` got no answer within {timeout.TotalSeconds:0} s: the Slurm controller is unreachable "
                + $"(SLURM_CONF={Environment.GetEnvironmentVariable("SLURM_CONF") ?? "/etc/slurm/slurm.conf"}); check `scontrol ping`");
        }
        var text = await output;
        if (process.ExitCode != 0)
        {
            var message = (await error).Trim();
            throw new SlurmException(
                message.Contains("Unable to contact slurm controller", StringComparison.OrdinalIgnoreCase)
                    ? $"the Slurm controller is unreachable ({tool}: {message}); check `scontrol ping` and SLURM_CONF"
                    : $"{tool} failed (exit code {process.ExitCode}): {message}");
        }
        return text;
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, tool))
            .FirstOrDefault(File.Exists);
}
