using System.CommandLine;
using System.Diagnostics;
using Exp.Cli.Hosting;
using Exp.Report;
using Exp.Report.Reading;
using Exp.Runner.Catalog;

namespace Exp.Cli.Commands;

/// <summary>`exp report`: one self-contained HTML page with the answer of a sweep.</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var command = new Command("report", "Write one self-contained HTML page of a sweep (or an experiment, or a trial): "
            + "pictures across the sweep, the trade-off, a table of trials, curves and the spec; it opens offline in any browser");
        var target = new Argument<string>("what")
        {
            Description = "A sweep (its name, e.g. kl-sweep, its spec file, or its run id), an experiment (name or id), "
                + "a trial (id, name or run id), or a run's folder",
        };
        var output = new Option<string?>("--output", "-o") { Description = "The HTML file to write (default: <name>-report.html here)" };
        command.Arguments.Add(target);
        command.Options.Add(output);
        var runs = RunsFolder.AddTo(command);
        command.SetAction(parseResult =>
        {
            var watch = Stopwatch.StartNew();
            if (runs.Of(parseResult) is not { } folder)
            {
                return ExitCodes.InvalidInput;
            }
            ReportTarget resolved;
            try
            {
                resolved = ReportTargets.Resolve(folder, parseResult.GetValue(target)!);
            }
            catch (ReportTargetNotFoundException error)
            {
                Console.Error.WriteLine($"error: {error.Message}");
                return ExitCodes.InvalidInput;
            }
            var path = Path.GetFullPath(parseResult.GetValue(output) ?? $"{resolved.FileStem}-report.html");
            var bytes = Reports.Write(resolved, path);
            Console.WriteLine($"Report: {path} ({bytes:N0} bytes, {watch.Elapsed.TotalSeconds:0.0} s)");
            // The page lists the runs of its own that were left out; every damaged file met is named here.
            foreach (var damage in resolved.Catalog.Damage)
            {
                Console.Error.WriteLine($"warning: {damage}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
