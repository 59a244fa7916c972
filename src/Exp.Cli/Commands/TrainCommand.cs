using System.CommandLine;
using Exp.Cli.Hosting;
using Exp.Cli.Output;
using Exp.Engine.Models;
using Exp.Runner.Trials;

namespace Exp.Cli.Commands;

/// <summary>`exp train`: trains the spec's base trial (no sweep) in this process, into a new run.</summary>
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
                Console.WriteLine(ModelSummary.Describe(trial.Config));
            }

            using var signals = new StopSignals(
                secondStopsAtOnce: true,
                () => Console.Error.WriteLine("Stopping after this step; the run is marked KILLED. Ctrl-C again stops at once."));
            using var stopAtOnce = signals.Kill.Register(() => Environment.Exit(ExitCodes.Interrupted));
            var level = GlobalOptions.LogLevel(parseResult);
            using var console = Logging.Console(level);
            var progress = new TrainingProgress(trial, Terminal.IsInteractive);
            var outcome = await progress.ShowWhile(report => TrialHost.RunAsync(
                plan,
                trial,
                runId: null,
                new TrialExecutionOptions { Threads = parseResult.GetValue(threads), Report = report },
                logPath => Logging.Trial(logPath, level),
                Logging.ForTracking(console),
                signals.Stop));
            progress.PrintOutcome(outcome, plan);
            return outcome.ExitCode;
        });
        return command;
    }
}
