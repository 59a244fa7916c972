using System.CommandLine;
using Exp.Cli.Hosting;
using Exp.Cli.Output;
using Exp.Runner.Launching;
using Exp.Runner.Sweeps;
using Exp.Runner.Trials;

namespace Exp.Cli.Commands;

/// <summary>`exp train`: the spec's base trial (no sweep), as a one-trial run in this process, into a new run.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train the spec's base trial (its sweep left out) in this process, into a new MLflow run");
        var spec = new SpecArguments();
        spec.AddTo(command);
        var summary = new Option<bool>("--summary") { Description = "Print the model summary (layers, shapes, parameter counts) before training" };
        var threads = new Option<int?>("--threads") { Description = "Torch threads (default: all cores)" };
        command.Options.Add(summary);
        command.Options.Add(threads);

        command.SetAction(async (parseResult, _) =>
        {
            var plan = spec.Load(parseResult);
            if (plan is null)
            {
                return ExitCodes.InvalidInput;
            }
            var trial = plan.Base;
            if (!DeviceCheck.CanRun([trial]))
            {
                return ExitCodes.InvalidInput;
            }
            if (parseResult.GetValue(summary))
            {
                Console.WriteLine(TrialDevices.ModelSummary(trial));
            }

            using var signals = new StopSignals(
                secondStopsAtOnce: true,
                () => Console.Error.WriteLine("Stopping after this step; the run is marked KILLED. Ctrl-C again stops at once."));
            using var stopAtOnce = signals.Kill.Register(() => Environment.Exit(ExitCodes.Interrupted));
            var level = GlobalOptions.LogLevel(parseResult);
            using var console = Logging.Console(level);
            var launcher = new InProcessLauncher(new TrialWorkerOptions { OpenLog = logPath => Logging.Trial(logPath, level), TrackingLog = console });
            var progress = new TrainingProgress(trial, Terminal.IsInteractive);
            var result = await progress.ShowWhile(report =>
                OneTrialRun.RunAsync(plan, trial, launcher, parseResult.GetValue(threads), report, console, signals.Stop));
            progress.PrintOutcome(result, plan);
            return result.Kind switch
            {
                // A server that refused the run fails the command; one only unreachable does not (the run is safe locally).
                TrialResultKind.Finished when result.Delivery?.AnyRefused == true => ExitCodes.Failure,
                TrialResultKind.Finished => ExitCodes.Success,
                TrialResultKind.Killed => ExitCodes.Interrupted,
                _ => ExitCodes.Failure,
            };
        });
        return command;
    }
}
