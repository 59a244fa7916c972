using System.CommandLine;
using Exp.Runner.Catalog;

namespace Exp.Cli.Hosting;

/// <summary>
/// How every command that reads a local store names it: <c>--runs FOLDER</c> (default ./runs), an
/// option as MLflow's own <c>--backend-store-uri</c> is. ls, ui and push also take the folder as
/// their one positional argument, as they did first; it is left out of their help.
/// </summary>
public sealed class RunsFolder
{
    private readonly Option<string> option = new("--runs")
    {
        Description = "The local store, an MLflow file store",
        DefaultValueFactory = _ => RunsLocation.DefaultLocalStore,
    };

    private readonly Argument<string?>? positional;

    private RunsFolder(Command command, bool positional)
    {
        command.Options.Add(option);
        if (positional)
        {
            this.positional = new Argument<string?>("runs-folder") { Arity = ArgumentArity.ZeroOrOne, Hidden = true, Description = "The local store (same as --runs)" };
            command.Arguments.Add(this.positional);
        }
    }

    public static RunsFolder AddTo(Command command) => new(command, positional: false);

    /// <summary>For ls, ui and push, whose first form took the folder as an argument.</summary>
    public static RunsFolder AddWithPositionalTo(Command command) => new(command, positional: true);

    /// <summary>The folder named, the positional first; for completion, which has no one to tell of a conflict.</summary>
    public string Named(ParseResult parse) => (positional is null ? null : parse.GetValue(positional)) ?? parse.GetValue(option)!;

    /// <summary>The folder named when it exists, or null with the error printed (named twice, differently, or not there).</summary>
    public string? Existing(ParseResult parse)
    {
        if (Of(parse) is not { } path)
        {
            return null;
        }
        if (!Directory.Exists(path))
        {
            Console.Error.WriteLine($"error: no runs folder at {Path.GetFullPath(path)}; run `exp run <spec>` first, or name the folder with --runs");
            return null;
        }
        return path;
    }

    /// <summary>The folder named, or null (with the error printed) when it is named twice, differently.</summary>
    public string? Of(ParseResult parse)
    {
        var named = parse.GetValue(option)!;
        if (positional is null || parse.GetValue(positional) is not { } given)
        {
            return named;
        }
        if (parse.GetResult(option) is { Implicit: false } && Path.GetFullPath(named) != Path.GetFullPath(given))
        {
            Console.Error.WriteLine($"error: two runs folders named, '{given}' and --runs '{named}'; name one, with --runs");
            return null;
        }
        return given;
    }
}
