using Serilog;
using Serilog.Events;

namespace Exp.Cli.Hosting;

public static class Logging
{
    private const string ConsoleTemplate = "[{Level:u3}] {Message:lj}{NewLine}{Exception}";
    private const string TrialConsoleTemplate = "[{Level:u3}] {Message:lj}{NewLine}";
    private const string FileTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}";

    /// <summary>The console log, on stderr so that stdout stays for results (tables, JSON).</summary>
    public static Serilog.Core.Logger Console(LogEventLevel level) =>
        new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .WriteTo.Console(outputTemplate: ConsoleTemplate, standardErrorFromLevel: LogEventLevel.Verbose)
            .CreateLogger();

    /// <summary>A trial's log: everything to its file, and to the console at <paramref name="consoleLevel"/>.</summary>
    public static Serilog.Core.Logger Trial(string path, LogEventLevel consoleLevel) =>
        new LoggerConfiguration()
            .MinimumLevel.Debug()
            // Shared: every write goes to the file's end under a cross-process lock. A trial process
            // orphaned by a killed `exp run` can still flush its last lines while the next segment of
            // the same trial writes; with a private stream it wrote at its own old offset, over the
            // lines of the new segment ("Resuming from the checkpoint ..." lost).
            .WriteTo.File(path, outputTemplate: FileTemplate, flushToDiskInterval: TimeSpan.FromSeconds(1), shared: true)
            // The console gets each message as one line; exceptions with their (native) stack traces go to the file only.
            .WriteTo.Console(outputTemplate: TrialConsoleTemplate, restrictedToMinimumLevel: consoleLevel, standardErrorFromLevel: LogEventLevel.Verbose)
            .CreateLogger();
}
