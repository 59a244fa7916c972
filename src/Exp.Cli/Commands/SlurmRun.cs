using System.CommandLine;
using Exp.Cli.Hosting;
using Exp.Cli.Output;
using Exp.Report;
using Exp.Runner.Launching;
using Exp.Runner.Slurm;
using Exp.Runner.Sweeps;
using Exp.Spec;

namespace Exp.Cli.Commands;

/// <summary>`exp run` with the Slurm launcher: the sweep's trials as job arrays, followed here or detached.</summary>
public static class SlurmRun
{
    public static async Task<int> RunAsync(Plan plan, ParseResult parseResult, int? parallel, int? maxFailures, bool detach, Format summaryFormat)
    {
        using var log = Logging.Console(GlobalOptions.LogLevel(parseResult));
        using var signals = new StopSignals(
            secondStopsAtOnce: true,
            () => Console.Error.WriteLine("Stopping: pending trials are cancelled; running ones get SIGTERM, stop at their next step and are marked KILLED, to resume from their last epoch's checkpoint. Ctrl-C again cancels them at once."));
        var live = Terminal.IsInteractive && !detach ? new LiveSweepView() : null;
        ISweepObserver view = live is null ? new PlainSweepView() : live;
        SlurmLauncher launcher;
        try
        {
            launcher = await SlurmLauncher.ConnectAsync(
                new SlurmClient(),
                new SlurmLauncherOptions(
                    ExpExecutable.OfThisProcess(), plan.Execution.Slurm, parallel ?? plan.Execution.Parallel,
                    $"exp-{Path.GetFileNameWithoutExtension(plan.SpecPath)}", view.Notice),
                signals.Stop);
        }
        catch (SlurmException error)
        {
            Console.Error.WriteLine($"error: {error.Message}");
            return ExitCodes.Failure;
        }
        await using (launcher)
        {
            var options = new SweepOptions
            {
                Parallel = parallel,
                MaxFailures = maxFailures,
                Detach = detach,
                Log = log,
                Report = Reports.OfSweepRun,
            };
            var runner = new SweepRunner(plan, launcher, options, view);
            var summary = live is null ? await runner.RunAsync(signals.Stop, signals.Kill) : await live.ShowWhile(runner.RunAsync(signals.Stop, signals.Kill));
            if (detach)
            {
                var arrays = summary.Results.Where(r => r.Kind == TrialResultKind.Submitted).Select(r => r.Reason!.Replace("Slurm ", "").Split('_')[0]).Distinct().ToList();
                Console.Out.WriteLine(arrays.Count == 0
                    ? "Nothing submitted: every trial is finished, or still queued or running."
                    : $"Detached: the trials run in Slurm job array(s) {string.Join(", ", arrays)} (squeue -j {string.Join(',', arrays)}). "
                        + "Run the same command again to follow them; it submits again only trials that are missing, FAILED or KILLED.");
                return ExitCodes.Success;
            }
            SummaryTable.Print(summary, summaryFormat);
            return summary.Stopped ? ExitCodes.Interrupted : summary.AllSucceeded && !summary.Refused ? ExitCodes.Success : ExitCodes.Failure;
        }
    }
}
