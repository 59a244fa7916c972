using System.CommandLine;
using System.CommandLine.Parsing;
using Exp.Spec.Decoding;

namespace Exp.Cli.Hosting;

/// <summary>
/// What is wrong with a command line, as the exit-code table promises: exit 2, one line per
/// problem on stderr, the nearest option or command suggested. Besides System.CommandLine's own
/// errors, a word that looks like an option but was taken as an argument is one (`exp ls --json`
/// must not look for a folder named --json, nor `exp run --bogus spec` for a spec named --bogus).
/// </summary>
public static class Usage
{
    public static IReadOnlyList<string> Errors(ParseResult parse, IReadOnlyList<string> args)
    {
        var command = parse.CommandResult;
        var commandLine = CommandLine(command);
        var unknown = parse.UnmatchedTokens.Concat(OptionLikeArguments(parse, args)).Distinct().ToList();
        // An unknown word is the problem to fix; what System.CommandLine says besides mostly follows from it
        // (`exp lss` also lacks a command, `exp run --bogus spec` took spec for an override).
        return unknown.Count > 0
            ? unknown.Select(token => Unknown(token, command, commandLine)).ToList()
            : parse.Errors.Select(error => $"error: {error.Message.TrimEnd('.')}; `{commandLine} --help` shows the usage").ToList();
    }

    private static string Unknown(string token, CommandResult command, string commandLine)
    {
        var what = token.StartsWith('-') ? "option" : command.Command.Subcommands.Count > 0 ? "command" : "argument";
        var nearest = Suggestion.closestOrNull(Names(command), token);
        return $"error: unknown {what} '{token}' for `{commandLine}`"
            + (nearest is null ? $"; `{commandLine} --help` lists what it takes" : $"; did you mean '{nearest}'?");
    }

    /// <summary>Argument values that start with '-' (and are not numbers), unless written after `--`.</summary>
    private static IEnumerable<string> OptionLikeArguments(ParseResult parse, IReadOnlyList<string> args)
    {
        var separator = args.ToList().IndexOf("--");
        var literal = separator < 0 ? [] : args.Skip(separator + 1).ToHashSet(StringComparer.Ordinal);
        return parse.CommandResult.Children.OfType<ArgumentResult>()
            .SelectMany(argument => argument.Tokens)
            .Select(token => token.Value)
            .Where(value => value.Length > 1 && value.StartsWith('-') && !double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _))
            .Where(value => !literal.Contains(value));
    }

    /// <summary>The options (with those inherited from parent commands) and subcommands that could follow.</summary>
    private static IEnumerable<string> Names(CommandResult command)
    {
        var options = command.Command.Options.Concat(Ancestors(command).SelectMany(c => c.Options).Where(o => o.Recursive));
        return options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name))
            .Concat(command.Command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))
            .Distinct();
    }

    private static IEnumerable<Command> Ancestors(CommandResult command)
    {
        for (var parent = command.Parent as CommandResult; parent is not null; parent = parent.Parent as CommandResult)
        {
            yield return parent.Command;
        }
    }

    /// <summary>`exp` and the verbs chosen, as the user typed them (the root's own name is the executable's).</summary>
    private static string CommandLine(CommandResult command) =>
        string.Join(' ', ["exp", .. Ancestors(command).Reverse().Skip(1).Select(c => c.Name), .. command.Parent is null ? Array.Empty<string>() : [command.Command.Name]]);
}
