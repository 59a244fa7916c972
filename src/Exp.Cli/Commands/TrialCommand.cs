using System.CommandLine;
using Exp.Cli.Hosting;
using Exp.Runner.Jobs;
using Exp.Runner.Launching;
using Exp.Runner.Native;
using Exp.Runner.Slurm;
using Exp.Runner.Trials;
using Serilog.Events;

namespace Exp.Cli.Commands;

/// <summary>
/// `exp trial --job FILE`: runs one trial job that a launcher handed over, reading that file
/// and nothing else. It is how `exp run` starts each trial in a process of its own, and what
/// a cluster job runs; people rarely call it.
/// </summary>
public static class TrialCommand
{
    public static Command Create()
    {
        var command = new Command("trial", "Run one trial job (the job.json that `exp run` writes into a trial's run)") { Hidden = true };
        var jobFile = new Option<string>("--job") { Description = "The trial's job file", Required = true };
        var watchParent = new Option<bool>("--exit-with-parent") { Description = "Exit when stdin closes: the sweep that started this process died" };
        var slurm = new Option<bool>("--slurm") { Description = "Run as an element of a Slurm job array: checkpoint and requeue at the time-limit signal (USR1)" };
        var maxRequeues = new Option<int>("--max-time-limit-requeues") { Description = "With --slurm: requeues after the time limit before the trial fails", DefaultValueFactory = _ => 3 };
        var timeLimit = new Option<string>("--time-limit") { Description = "With --slurm: the element's time limit as written, for the failure reason", DefaultValueFactory = _ => "" };
        command.Options.Add(jobFile);
        command.Options.Add(watchParent);
        command.Options.Add(slurm);
        command.Options.Add(maxRequeues);
        command.Options.Add(timeLimit);

        command.SetAction(async (parseResult, _) =>
        {
            if (parseResult.GetValue(watchParent))
            {
                ParentDeath.ExitWhenStdinCloses();
            }
            var path = parseResult.GetValue(jobFile)!;
            TrialJob job;
            try
            {
                job = TrialJob.Read(path);
            }
            catch (Exception error) when (error is InvalidDataException or IOException)
            {
                // Not a job of this exp: there is no run to report to. A job's config that is refused
                // is reported into its run by the worker, where the runner finds the reason.
                Console.Error.WriteLine($"error: {error.Message}");
                return ExitCodes.InvalidInput;
            }

            // Every Ctrl-C is a graceful stop here: the launcher decides when to kill.
            using var signals = new StopSignals(secondStopsAtOnce: false);
            using var console = Logging.Console(LogEventLevel.Warning);
            var fileLevel = GlobalOptions.LogLevel(parseResult) == LogEventLevel.Debug ? LogEventLevel.Debug : LogEventLevel.Warning;
            var workerOptions = new TrialWorkerOptions
            {
                OpenLog = logPath => Logging.Trial(logPath, fileLevel),
                TrackingLog = console,
            };
            if (parseResult.GetValue(slurm))
            {
                using var reached = new TimeLimitSignal();
                return await SlurmTrial.RunAsync(
                    new TrialJobFile(path, job), workerOptions, parseResult.GetValue(maxRequeues), parseResult.GetValue(timeLimit)!, reached.Reached, signals.Stop);
            }
            var report = await TrialWorker.RunAsync(
                new TrialJobFile(path, job),
                progress => Console.Out.WriteLine(progress.Encode()),
                workerOptions,
                signals.Stop);
            return report.ExitCode;
        });
        return command;
    }
}
