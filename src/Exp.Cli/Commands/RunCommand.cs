using System.CommandLine;
using Exp.Cli.Hosting;
using Exp.Cli.Output;
using Exp.Report;
using Exp.Runner.Launching;
using Exp.Runner.Sweeps;
using Exp.Runner.Trials;
using Exp.Spec;

namespace Exp.Cli.Commands;

/// <summary>`exp run`: the sweep, each trial in its own process, tracked in MLflow, resumable.</summary>
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
            if (plan.Execution.Launcher == Launcher.Slurm && !parseResult.GetValue(dryRun))
            {
                // GPUs come from Slurm, so this machine's CUDA says nothing about the nodes'.
                return await SlurmRun.RunAsync(plan, parseResult, parseResult.GetValue(parallel), parseResult.GetValue(maxFailures), parseResult.GetValue(detach), summaryFormat);
            }
            if (!DeviceCheck.CanRun(plan.Trials))
            {
                return ExitCodes.InvalidInput;
            }
            if (parseResult.GetValue(dryRun))
            {
                PlanStatus.Print(plan);
                return ExitCodes.Success;
            }

            using var log = Logging.Console(GlobalOptions.LogLevel(parseResult));
            using var signals = new StopSignals(
                secondStopsAtOnce: true,
                () => Console.Error.WriteLine("Stopping: no new trials; running ones stop and are marked KILLED, to resume from their last epoch's checkpoint. Ctrl-C again stops at once."));
            var options = new SweepOptions
            {
                Parallel = parseResult.GetValue(parallel),
                MaxFailures = parseResult.GetValue(maxFailures),
                Log = log,
                Report = Reports.OfSweepRun,
            };
            var launcher = new LocalProcessLauncher(ExpExecutable.OfThisProcess(), log);
            SweepSummary summary;
            if (Terminal.IsInteractive)
            {
                var view = new LiveSweepView();
                summary = await view.ShowWhile(new SweepRunner(plan, launcher, options, view).RunAsync(signals.Stop, signals.Kill));
            }
            else
            {
                summary = await new SweepRunner(plan, launcher, options, new PlainSweepView()).RunAsync(signals.Stop, signals.Kill);
            }
            SummaryTable.Print(summary, summaryFormat);
            return summary.Stopped ? ExitCodes.Interrupted : summary.AllSucceeded && !summary.Refused ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }
}
