using System.CommandLine;
using Exp.Cli.Hosting;
using Exp.Runner.Native;
using Exp.Runner.Trials;
using Serilog.Events;

namespace Exp.Cli.Commands;

/// <summary>
/// `exp trial`: runs one resolved trial of a spec into a run that `exp run` created. It is
/// how `exp run` starts each trial in a process of its own; people rarely call it.
/// </summary>
public static class TrialCommand
{
    public static Command Create()
    {
        var command = new Command("trial", "Run one trial of a spec into an existing run (what `exp run` starts per trial)") { Hidden = true };
        var spec = new SpecArguments();
        spec.AddTo(command);
        var trialId = new Option<string>("--trial-id") { Description = "The trial's id in the plan", Required = true };
        var runId = new Option<string>("--run-id") { Description = "The run to train into", Required = true };
        var threads = new Option<int?>("--threads") { Description = "Torch threads for this trial" };
        var device = new Option<string?>("--device") { Description = "Overrides train.device" };
        var watchParent = new Option<bool>("--exit-with-parent") { Description = "Exit when stdin closes: the sweep that started this process died" };
        foreach (var option in new Option[] { trialId, runId, threads, device, watchParent })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, _) =>
        {
            if (parseResult.GetValue(watchParent))
            {
                ParentDeath.ExitWhenStdinCloses();
            }
            var plan = spec.Load(parseResult);
            if (plan is null)
            {
                return ExitCodes.InvalidInput;
            }
            var id = parseResult.GetValue(trialId)!;
            var trial = plan.Trials.FirstOrDefault(t => t.Id == id) ?? (plan.Base.Id == id ? plan.Base : null);
            if (trial is null)
            {
                Console.Error.WriteLine($"error: no trial {id} in the plan of {plan.SpecPath}; did the spec change since the sweep started?");
                return ExitCodes.InvalidInput;
            }

            // Every Ctrl-C is a graceful stop here: the sweep decides when to kill.
            using var signals = new StopSignals(secondStopsAtOnce: false);
            using var console = Logging.Console(LogEventLevel.Warning);
            var outcome = await TrialHost.RunAsync(
                plan,
                trial,
                parseResult.GetValue(runId),
                new TrialExecutionOptions
                {
                    Threads = parseResult.GetValue(threads),
                    Device = parseResult.GetValue(device),
                    Report = progress => Console.Out.WriteLine(progress.Encode()),
                },
                logPath => Logging.Trial(logPath, GlobalOptions.LogLevel(parseResult) == LogEventLevel.Debug ? LogEventLevel.Debug : LogEventLevel.Warning),
                Logging.ForTracking(console),
                signals.Stop);
            return outcome.ExitCode;
        });
        return command;
    }
}
