using System.CommandLine;
using Exp.Cli.Hosting;
using Exp.Cli.Output;
using Exp.Runner.Slurm;
using Exp.Runner.Sweeps;
using Exp.Runner.Trials;
using Exp.Spec;

namespace Exp.Cli.Commands;

/// <summary>`exp run` with the Slurm launcher: submit the sweep as job arrays, then follow it (or detach).</summary>
public static class SlurmRun
{
    public static async Task<int> RunAsync(Plan plan, ParseResult parseResult, int? parallel, bool detach)
    {
        using var log = Logging.Console(GlobalOptions.LogLevel(parseResult));
        using var signals = new StopSignals(
            secondStopsAtOnce: true,
            () => Console.Error.WriteLine("Stopping: pending trials are cancelled; running ones get SIGTERM, stop at their next step and are marked KILLED, to resume from their last epoch's checkpoint. Ctrl-C again cancels at once."));
        var options = new SlurmSweepOptions(ExpExecutable.OfThisProcess(), parallel, detach)
        {
            TrackingLog = Logging.ForTracking(log),
        };
        SlurmSweepResult result;
        try
        {
            if (Terminal.IsInteractive && !detach)
            {
                var view = new LiveSweepView();
                result = await view.ShowWhile(new SlurmSweep(plan, options, view, new SlurmClient()).RunAsync(signals.Stop, signals.Kill));
            }
            else
            {
                result = await new SlurmSweep(plan, options, new PlainSweepView(), new SlurmClient()).RunAsync(signals.Stop, signals.Kill);
            }
        }
        catch (SlurmException error)
        {
            Console.Error.WriteLine($"error: {error.Message}");
            return ExitCodes.Failure;
        }
        if (result.Summary is not { } summary)
        {
            Console.Out.WriteLine(result.Arrays.Count == 0
                ? "Nothing submitted: every trial is finished."
                : $"Detached: the trials run in Slurm job array(s) {string.Join(", ", result.Arrays)} (squeue -j {string.Join(',', result.Arrays)}). "
                    + "Run the same command again (without --detach) to follow them; it submits again only trials that are missing, FAILED or KILLED.");
            return ExitCodes.Success;
        }
        SummaryTable.Print(summary);
        return summary.Stopped ? ExitCodes.Interrupted : summary.AllSucceeded ? ExitCodes.Success : ExitCodes.Failure;
    }
}
