using System.CommandLine;
using Exp.Cli.Commands;
using Exp.Cli.Hosting;
using Exp.Runner.Native;
using Exp.Runner.Trials;
using Spectre.Console;

// Before anything loads libtorch: every process of exp that trains gets malloc tuned for it
// (EXP_MALLOC_TUNING=off turns it off) and oneDNN's kernels settled to ones that compute
// convolutions correctly (EXP_CPU_KERNELS; see TrainingProcess).
if (TrainingProcess.IsKernelProbe(args))
{
    // The child process of TrainingProcess.Prepare: oneDNN's own kernels, probed before anything sets a cap.
    return TrainingProcess.RunKernelProbe();
}
TrainingProcess.Prepare(args);

var root = new RootCommand("exp: declarative experiments on generative models (VAEs) with TorchSharp, tracked in MLflow")
{
    ValidateCommand.Create(),
    PlanCommand.Create(),
    RunCommand.Create(),
    TrainCommand.Create(),
    ListCommand.Create(),
    ShowCommand.Create(),
    DiffCommand.Create(),
    ReportCommand.Create(),
    UiCommand.Create(),
    PushCommand.Create(),
    TrialCommand.Create(),
    CompletionCommand.Create(),
};
if (Console.IsOutputRedirected)
{
    // A file or a pipe gets plain text, wide enough that tables do not wrap.
    AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Out = new AnsiConsoleOutput(Console.Out),
    });
    AnsiConsole.Profile.Width = 240;
}
root.Options.Add(GlobalOptions.Verbose);
root.Options.Add(GlobalOptions.Quiet);
// -V as Python and many CLIs spell it (-v is --verbose here).
root.Options.OfType<System.CommandLine.VersionOption>().Single().Aliases.Add("-V");

var parse = root.Parse(args);
// [suggest:N] "exp ..." is the shell completion's question (see `exp completion`): a partial line is no error.
var completing = root.Directives.OfType<System.CommandLine.Completions.SuggestDirective>().Any(d => parse.GetResult(d) is not null);
if (!completing && Usage.Errors(parse, args) is { Count: > 0 } usageErrors)
{
    foreach (var line in usageErrors)
    {
        Console.Error.WriteLine(line);
    }
    return ExitCodes.InvalidInput;
}
if (parse.Action is System.CommandLine.Help.HelpAction && parse.CommandResult.Command.Hidden)
{
    // Hidden keeps `exp trial` out of exp's own help; asked for by name, its help is printed (System.CommandLine prints none for a hidden command).
    parse.CommandResult.Command.Hidden = false;
}

try
{
    // Signals are handled by the verbs that run trials: a first Ctrl-C stops gracefully.
    return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
}
catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException or UriFormatException or InvalidDataException or YamlDotNet.Core.YamlException)
{
    // Problems of the machine or the store, not bugs: say what is wrong, without a stack trace.
    Console.Error.WriteLine($"error: {(DiskFull.Is(error) ? DiskFull.Describe(error) : error.Message)}");
    return ExitCodes.Failure;
}
