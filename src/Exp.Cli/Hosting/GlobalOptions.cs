using System.CommandLine;
using Serilog.Events;

namespace Exp.Cli.Hosting;

/// <summary>Options every verb takes.</summary>
public static class GlobalOptions
{
    public static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Log more: debug messages, and the output of trial processes", Recursive = true };

    public static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Log warnings and errors only", Recursive = true };

    public static LogEventLevel LogLevel(ParseResult parseResult) =>
        parseResult.GetValue(Verbose) ? LogEventLevel.Debug
        : parseResult.GetValue(Quiet) ? LogEventLevel.Warning
        : LogEventLevel.Information;
}
