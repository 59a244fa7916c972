using System.Text.RegularExpressions;

namespace Exp.Cli.Tests.Docs;

/// <summary>How the doc test treats a fenced block, from the <c>&lt;!-- doc-test: ... --&gt;</c> line just above it.</summary>
public enum DocDirectiveKind
{
    /// <summary>No marker: each command must exit 0 (or the code of an <c>exit N</c> marker).</summary>
    Run,

    /// <summary><c>ci</c>: the block is what <c>.ci/run</c> runs, which CI runs in full; the doc test checks that and runs only its <c>exp</c> commands.</summary>
    Ci,

    /// <summary><c>serves</c>: the command serves until stopped; the doc test waits until its page answers, then stops it.</summary>
    Serves,

    /// <summary><c>not run: reason</c>: a command this machine cannot run (a real cluster, a network), with why.</summary>
    NotRun,

    /// <summary><c>file NAME</c>: the block (not a command) is written to NAME, for the commands after it.</summary>
    File,
}

public sealed record DocDirective(DocDirectiveKind Kind, int ExitCode = 0, string Argument = "")
{
    public static DocDirective Default { get; } = new(DocDirectiveKind.Run);
}

/// <summary>One fenced block of a page: where it opens (1-based line of the fence), its language, its text and its marker.</summary>
public sealed record DocBlock(string Page, int Line, string Language, IReadOnlyList<string> Lines, DocDirective Directive)
{
    private static readonly HashSet<string> ShellLanguages = ["bash", "sh", "shell", "console"];

    public bool IsShell => ShellLanguages.Contains(Language);

    public string Where => $"{Page}:{Line}";

    /// <summary>
    /// The commands shown: in <c>bash</c>, <c>sh</c> and <c>shell</c> blocks every line that is not blank or only a
    /// comment, joined with the lines a trailing backslash continues onto; in <c>console</c> blocks the lines after
    /// <c>$ </c>, each with the output shown below it.
    /// </summary>
    public IReadOnlyList<DocCommand> Commands()
    {
        var commands = new List<DocCommand>();
        if (Language == "console")
        {
            for (var i = 0; i < Lines.Count; i++)
            {
                if (!Lines[i].StartsWith("$ ", StringComparison.Ordinal))
                {
                    continue;
                }
                var output = Lines.Skip(i + 1).TakeWhile(line => !line.StartsWith("$ ", StringComparison.Ordinal)).ToList();
                commands.Add(new DocCommand(Line + 1 + i, Lines[i][2..], string.Join('\n', output)));
            }
            return commands;
        }
        for (var i = 0; i < Lines.Count; i++)
        {
            var trimmed = Lines[i].Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }
            var first = i;
            var text = Lines[i];
            while (text.EndsWith('\\') && i + 1 < Lines.Count)
            {
                text = text[..^1] + " " + Lines[++i].Trim();
            }
            commands.Add(new DocCommand(Line + 1 + first, text.Trim(), ExpectedOutput: null));
        }
        return commands;
    }
}

/// <summary>A command as shown, at its line; <see cref="ExpectedOutput"/> is what a console block shows it printing.</summary>
public sealed record DocCommand(int Line, string Text, string? ExpectedOutput);

/// <summary>Reads the fenced blocks of a Markdown page and their doc-test markers.</summary>
public static partial class DocBlocks
{
    [GeneratedRegex(@"^\s*<!--\s*doc-test:\s*(?<directive>.*?)\s*-->\s*$")]
    private static partial Regex Marker();

    [GeneratedRegex(@"^(?<indent>\s*)(?<fence>```+|~~~+)\s*(?<language>[\w+-]*)")]
    private static partial Regex Fence();

    /// <summary>Every fenced block of the page, in order. A marker that is not understood, or that no block follows, is an error naming its line.</summary>
    public static IReadOnlyList<DocBlock> Read(string page, string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        var blocks = new List<DocBlock>();
        (DocDirective Directive, int Line)? pending = null;
        for (var i = 0; i < lines.Length; i++)
        {
            if (Marker().Match(lines[i]) is { Success: true } marker)
            {
                pending = (Parse(marker.Groups["directive"].Value, $"{page}:{i + 1}"), i + 1);
                continue;
            }
            if (lines[i].TrimStart().StartsWith("<!-- doc-test", StringComparison.Ordinal))
            {
                throw new FormatException($"{page}:{i + 1}: a doc-test marker is one line, '<!-- doc-test: ... -->', alone on its line");
            }
            if (Fence().Match(lines[i]) is { Success: true } fence)
            {
                var indent = fence.Groups["indent"].Value.Length;
                var close = fence.Groups["fence"].Value;
                var end = i + 1;
                while (end < lines.Length && !lines[end].Trim().StartsWith(close, StringComparison.Ordinal))
                {
                    end++;
                }
                var body = lines[(i + 1)..Math.Min(end, lines.Length)]
                    .Select(line => line.Length >= indent && string.IsNullOrWhiteSpace(line[..indent]) ? line[indent..] : line.TrimStart())
                    .ToList();
                blocks.Add(new DocBlock(page, i + 1, fence.Groups["language"].Value, body, pending?.Directive ?? DocDirective.Default));
                pending = null;
                i = end;
                continue;
            }
            if (pending is { } dangling && lines[i].Trim().Length > 0)
            {
                throw new FormatException($"{page}:{dangling.Line}: a doc-test marker must stand on the line just above a fenced block");
            }
        }
        if (pending is { } last)
        {
            throw new FormatException($"{page}:{last.Line}: a doc-test marker must stand on the line just above a fenced block");
        }
        return blocks;
    }

    private static DocDirective Parse(string text, string where)
    {
        if (text == "ci")
        {
            return new DocDirective(DocDirectiveKind.Ci);
        }
        if (text == "serves")
        {
            return new DocDirective(DocDirectiveKind.Serves);
        }
        if (text.StartsWith("exit ", StringComparison.Ordinal) && int.TryParse(text[5..], out var code))
        {
            return new DocDirective(DocDirectiveKind.Run, code);
        }
        if (text.StartsWith("file ", StringComparison.Ordinal) && text[5..].Trim() is { Length: > 0 } name)
        {
            return new DocDirective(DocDirectiveKind.File, Argument: name);
        }
        if (text.StartsWith("not run:", StringComparison.Ordinal) && text[8..].Trim() is { Length: > 0 } reason)
        {
            return new DocDirective(DocDirectiveKind.NotRun, Argument: reason);
        }
        throw new FormatException(
            $"{where}: unknown doc-test marker '{text}'; expected 'exit N', 'ci', 'serves', 'file NAME' or 'not run: <why this machine cannot run it>'");
    }
}
