using System.Text.RegularExpressions;
using Exp.Testing;
using Xunit.Abstractions;

namespace Exp.Cli.Tests.Docs;

/// <summary>
/// The doc test: every command shown in README.md and docs/*.md runs and exits as the page says, so the pages and
/// the program cannot drift apart. Pages are found by glob and commands by their fenced shell blocks, so a new page
/// or command is covered without editing this test. The conventions (markers, the small fixture, what is not run
/// and why) are in docs/development.md, "The doc test".
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class DocCommandsTests(ITestOutputHelper output)
{
    public static TheoryData<string> Pages() =>
    [
        "README.md",
        .. Directory.GetFiles(Path.Combine(RepoPaths.Root, "docs"), "*.md").Select(file => Path.GetRelativePath(RepoPaths.Root, file)).Order(StringComparer.Ordinal),
    ];

    [Fact]
    public void The_pages_are_found()
    {
        Assert.Contains("docs/spec.md", Pages());
        Assert.Contains("docs/development.md", Pages());
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Every_command_shown_exits_as_documented(string page)
    {
        using var run = new DocPageRun();

        await run.RunAsync(page, File.ReadAllText(Path.Combine(RepoPaths.Root, page)));

        foreach (var note in run.Notes)
        {
            output.WriteLine(note);
        }
        Assert.True(run.Failures.Count == 0, string.Join("\n\n", run.Failures));
    }

    [Fact]
    public async Task A_command_that_exits_otherwise_than_documented_fails_its_page()
    {
        const string page = """
            # A page

            ```bash
            exp validate experiments/kl-sweep.yaml    # valid: exits 0, as documented
            exp validate missing.yaml
            ```

            <!-- doc-test: exit 2 -->
            ```bash
            exp validate experiments/kl-sweep.yaml
            ```
            """;
        using var run = new DocPageRun();

        await run.RunAsync("page.md", page);

        Assert.Collection(
            run.Failures,
            failure => Assert.StartsWith("page.md:5: exp validate missing.yaml\n  exited 2, documented 0", failure),
            failure => Assert.StartsWith("page.md:10: exp validate experiments/kl-sweep.yaml\n  exited 0, documented 2", failure));
    }

    [Fact]
    public async Task Output_shown_in_a_console_block_must_be_what_the_command_prints()
    {
        const string page = """
            <!-- doc-test: file spec.yaml -->
            ```yaml
            experiment: x
            train:
              lr: -1
            ```

            <!-- doc-test: exit 2 -->
            ```console
            $ exp validate spec.yaml
            error: spec.yaml:3:7: train.lr: must be greater than 0, found -1
            1 error
            $ exp validate spec.yaml train.epochs=3
            error: spec.yaml:3:7: train.lr: must be greater than 0, found -2
            1 error
            ```
            """;
        using var run = new DocPageRun();

        await run.RunAsync("page.md", page);

        var failure = Assert.Single(run.Failures);
        Assert.StartsWith("page.md:13: exp validate spec.yaml train.epochs=3\n  printed otherwise than shown", failure);
    }

    [Theory]
    [InlineData("<!-- doc-test: exit two -->\n```bash\nexp ls\n```\n", "page.md:1: unknown doc-test marker 'exit two'")]
    [InlineData("<!-- doc-test: not run: -->\n```bash\nexp ls\n```\n", "page.md:1: unknown doc-test marker 'not run:'")]
    [InlineData("text\n\n<!-- doc-test: exit 2 -->\nmore text\n", "page.md:3: a doc-test marker must stand on the line just above a fenced block")]
    [InlineData("<!-- doc-test: exit 2\n-->\n```bash\nexp ls\n```\n", "page.md:1: a doc-test marker is one line")]
    public void A_marker_that_is_not_understood_is_an_error_at_its_line(string page, string error)
    {
        var thrown = Assert.Throws<FormatException>(() => DocBlocks.Read("page.md", page));
        Assert.StartsWith(error, thrown.Message);
    }

    [Fact]
    public void Commands_are_read_as_shown()
    {
        var block = Assert.Single(DocBlocks.Read("page.md", """
            text
              ```bash
              exp ls        # a comment
                            # a comment that continues it
              exp run experiments/kl-sweep.yaml \
                  train.epochs=1
              ```
            """));

        Assert.Equal(
            [new DocCommand(3, "exp ls        # a comment", null), new DocCommand(5, "exp run experiments/kl-sweep.yaml  train.epochs=1", null)],
            block.Commands());
    }

    /// <summary>Every relative link of every page reaches a file, and a link to a heading reaches a heading of that page (as GitHub names its anchors).</summary>
    [Fact]
    public void Every_link_between_the_pages_resolves()
    {
        var broken = new List<string>();
        foreach (var page in Pages())
        {
            var text = File.ReadAllText(Path.Combine(RepoPaths.Root, page));
            foreach (Match link in Link().Matches(text))
            {
                var target = link.Groups["target"].Value;
                if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }
                var (path, anchor) = target.Split('#', 2) is [var p, var a] ? (p, a) : (target, null);
                var file = path.Length == 0 ? page : Path.GetRelativePath(RepoPaths.Root, Path.Combine(RepoPaths.Root, Path.GetDirectoryName(page)!, path));
                var full = Path.Combine(RepoPaths.Root, file);
                if (!File.Exists(full) && !Directory.Exists(full))
                {
                    broken.Add($"{page}: ({target}): no file {file}");
                }
                else if (anchor is not null && !Anchors(File.ReadAllText(full)).Contains(anchor))
                {
                    broken.Add($"{page}: ({target}): no heading '#{anchor}' in {file}");
                }
            }
        }
        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }

    [Fact]
    public void Every_example_spec_is_in_the_readme()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var missing = Directory.GetFiles(RepoPaths.Experiments, "*.yaml").Select(Path.GetFileName).Where(file => !readme.Contains($"`{file}`", StringComparison.Ordinal));
        Assert.Empty(missing);
    }

    /// <summary>GitHub's anchors: each heading outside code, lower case, punctuation dropped, spaces as hyphens.</summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>();
        var inCode = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
            }
            else if (!inCode && Heading().Match(line) is { Success: true } heading)
            {
                anchors.Add(Punctuation().Replace(heading.Groups["title"].Value.Trim().ToLowerInvariant(), "").Replace(' ', '-'));
            }
        }
        return anchors;
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^#{1,6} (?<title>.+)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\w\- ]")]
    private static partial Regex Punctuation();
}
