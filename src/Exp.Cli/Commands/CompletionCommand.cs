using System.CommandLine;

namespace Exp.Cli.Commands;

/// <summary>
/// `exp completion bash|zsh`: the script that lets the shell complete exp's commands, options,
/// a spec's keys as overrides and a store's trials. It asks exp itself, through System.CommandLine's
/// [suggest:N] directive, so the answers follow the exp and the folder at hand.
/// </summary>
public static class CompletionCommand
{
    // Words that start with '-' are completed as options only; other words get exp's suggestions that are
    // not options, and file names when there are none (a spec, a runs folder).
    private const string Bash = """
        _exp_complete() {
            local word="${COMP_WORDS[COMP_CWORD]}" candidate IFS=$'\n'
            COMPREPLY=()
            for candidate in $(exp "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null); do
                if [[ "$word" == -* ]]; then
                    [[ "$candidate" == "$word"* && "$candidate" == -* ]] && COMPREPLY+=("$candidate")
                else
                    [[ "$candidate" == "$word"* && "$candidate" != [-/]* ]] && COMPREPLY+=("$candidate")
                fi
            done
            [[ "${COMPREPLY[0]}" == *= ]] && compopt -o nospace 2>/dev/null
            return 0
        }
        complete -o default -F _exp_complete exp
        """;

    private const string Zsh = """
        _exp() {
            local -a all matches
            all=(${(f)"$(exp "[suggest:${CURSOR}]" "${BUFFER}" 2>/dev/null)"})
            if [[ "$PREFIX" == -* ]]; then
                matches=(${(M)all:#-*})
            else
                matches=(${all:#[-/]*})
            fi
            if (( ${#matches} )); then
                compadd -S '' -- ${(M)matches:#*=} && compadd -- ${matches:#*=}
            else
                _files
            fi
        }
        compdef _exp exp
        """;

    public static Command Create()
    {
        var command = new Command("completion", "Print the shell's completion script for exp: commands, options, a spec's keys as overrides, a store's trials. "
            + "Load it with: source <(exp completion bash), or in zsh: source <(exp completion zsh)");
        var shell = new Argument<string>("shell") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        command.Arguments.Add(shell);
        command.SetAction(parseResult =>
        {
            Console.WriteLine(parseResult.GetValue(shell) == "zsh" ? Zsh : Bash);
            return ExitCodes.Success;
        });
        return command;
    }
}
