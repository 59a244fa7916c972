using System.CommandLine;
using Exp.Cli.Hosting;
using Exp.Cli.Output;
using Exp.Report;
using Exp.Runner.Launching;
using Exp.Runner.Slurm;
using Exp.Runner.Sweeps;
using Exp.Runner.Trials;
using Exp.Spec;

namespace Exp.Cli.Commands;

/// <summary>`exp run`: the sweep, each trial in its own process here or a Slurm job array's element, tracked in MLflow, resumable.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var command = new Command("run", "Run a spec's sweep: every trial in its own process, as child runs of one MLflow run. "
            + "Run it again after any interruption to resume: finished trials are skipped, interrupted ones continue from their checkpoints");
        var spec = new SpecArguments();
        spec.AddTo(command);
        var parallel = new Option<int?>("--parallel", "-j") { Description = "Trials at once (default: execution.parallel of the spec)" };
        var maxFailures = new Option<int?>("--max-failures") { Description = "Stop launching trials after this many have failed" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show the plan and what would run; train nothing" };
        var launcherOption = new Option<string?>("--launcher")
        {
            Description = "Where the trials run: local (processes here) or slurm (job arrays); default: execution.launcher of the spec",
        };
        var detach = new Option<bool>("--detach") { Description = "With Slurm: submit, print the job arrays and exit; the same command again reattaches" };
        var format = ResultFormat.AddWithCsvTo(command);
        command.Options.Add(launcherOption);
        command.Options.Add(detach);
        command.Options.Add(parallel);
        command.Options.Add(maxFailures);
        command.Options.Add(dryRun);

        command.SetAction(async (parseResult, _) =>
        {
            var plan = spec.Load(parseResult, parseResult.GetValue(launcherOption) is { } chosen ? [$"execution.launcher={chosen}"] : []);
            if (plan is null || format.Of(parseResult) is not { } summaryFormat)
            {
                return ExitCodes.InvalidInput;
            }
            if (parseResult.GetValue(parallel) is < 1 || parseResult.GetValue(maxFailures) is < 1)
            {
                Console.Error.WriteLine("error: --parallel and --max-failures take a number of at least 1");
                return ExitCodes.InvalidInput;
            }
            if (parseResult.GetValue(detach) && plan.Execution.Launcher != Launcher.Slurm)
            {
                Console.Error.WriteLine("error: --detach needs the Slurm launcher (--launcher slurm): local trials end with the `exp run` that started them");
                return ExitCodes.InvalidInput;
            }
            // A Slurm sweep's GPUs come from Slurm, so this machine's CUDA says nothing about the nodes'.
            if (plan.Execution.Launcher == Launcher.Local && !DeviceCheck.CanRun(plan.Trials))
            {
                return ExitCodes.InvalidInput;
            }
            if (parseResult.GetValue(dryRun))
            {
                PlanStatus.Print(plan);
                return ExitCodes.Success;
            }
            return await RunAsync(plan, parseResult, parseResult.GetValue(parallel), parseResult.GetValue(maxFailures), parseResult.GetValue(detach), summaryFormat);
        });
        return command;
    }

    /// <summary>The sweep through the launcher its plan names, shown live on a terminal (not when it detaches), then its summary.</summary>
    private static async Task<int> RunAsync(Plan plan, ParseResult parseResult, int? parallel, int? maxFailures, bool detach, Format summaryFormat)
    {
        using var log = Logging.Console(GlobalOptions.LogLevel(parseResult));
        using var signals = new StopSignals(secondStopsAtOnce: true, () => Console.Error.WriteLine(Stopping(plan.Execution.Launcher)));
        var live = Terminal.IsInteractive && !detach ? new LiveSweepView() : null;
        ISweepObserver view = live is null ? new PlainSweepView() : live;
        ITrialLauncher launcher;
        try
        {
            launcher = await Launchers.ConnectAsync(plan, new LaunchSettings(ExpExecutable.OfThisProcess(), parallel, log, view.Notice), signals.Stop);
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
                PrintDetached(summary);
                return ExitCodes.Success;
            }
            SummaryTable.Print(summary, summaryFormat);
            return summary.Stopped ? ExitCodes.Interrupted : summary.AllSucceeded && !summary.Refused ? ExitCodes.Success : ExitCodes.Failure;
        }
    }

    /// <summary>What the first Ctrl-C does, as each launcher stops its trials.</summary>
    private static string Stopping(Launcher launcher) => launcher == Launcher.Slurm
        ? "Stopping: pending trials are cancelled; running ones get SIGTERM, stop at their next step and are marked KILLED, to resume from their last epoch's checkpoint. Ctrl-C again cancels them at once."
        : "Stopping: no new trials; running ones stop and are marked KILLED, to resume from their last epoch's checkpoint. Ctrl-C again stops at once.";

    /// <summary>Where the detached trials run: the job arrays they were submitted in, for squeue.</summary>
    private static void PrintDetached(SweepSummary summary)
    {
        var arrays = summary.Results.Select(r => r.Job).OfType<JobId>().Select(job => job.Batch ?? job.Value).Distinct().ToList();
        Console.Out.WriteLine(arrays.Count == 0
            ? "Nothing submitted: every trial is finished, or still queued or running."
            : $"Detached: the trials run in Slurm job array(s) {string.Join(", ", arrays)} (squeue -j {string.Join(',', arrays)}). "
                + "Run the same command again to follow them; it submits again only trials that are missing, FAILED or KILLED.");
    }
}
