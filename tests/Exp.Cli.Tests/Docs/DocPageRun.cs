using System.Text.RegularExpressions;
using Exp.Cli.Tests.Support;
using Exp.Spec;
using Exp.Testing;

namespace Exp.Cli.Tests.Docs;

/// <summary>
/// Runs the commands of one page as a reader would, in order, in one scratch folder that holds <c>experiments/</c>
/// (the repository's) and gets its own <c>runs/</c>. <c>exp</c> there is the build under test; a command that trains an
/// example spec gets the overrides that shrink it (<see cref="ShrunkExamples"/>), so the page's commands run as shown
/// but on a small fixture. Each command is one <c>bash -c</c> and must exit with the code the page documents.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class DocPageRun : IDisposable
{
    /// <summary>Only stops a hang: a healthy command on a loaded machine can take many times its usual time.</summary>
    private static readonly TimeSpan CommandLimit = TimeSpan.FromMinutes(10);

    private readonly Workspace workspace = new();
    private readonly string shim;
    private readonly List<string> failures = [];
    private readonly List<string> notes = [];

    public DocPageRun()
    {
        Directory.CreateSymbolicLink(Path.Combine(workspace.Directory, "experiments"), RepoPaths.Experiments);
        var bin = Directory.CreateDirectory(Path.Combine(workspace.Directory, ".doc-test", "shrink")).Parent!.FullName;
        shim = Path.Combine(bin, "exp");
        File.WriteAllText(shim, $$"""
            #!/usr/bin/env bash
            # `exp` as the doc test runs it: the build under test. A command that trains an example spec gets the
            # overrides that shrink it, one per line in shrink/<spec file name> beside this script.
            set -euo pipefail
            dll='{{Path.Combine(AppContext.BaseDirectory, "exp.dll")}}'
            case "${1:-}" in
              run|train)
                for argument in "$@"; do
                  shrink="$(dirname "$0")/shrink/$(basename -- "$argument")"
                  if [ -f "$shrink" ]; then
                    mapfile -t extra < "$shrink"
                    exec dotnet "$dll" "$@" "${extra[@]}"
                  fi
                done ;;
            esac
            exec dotnet "$dll" "$@"

            """);
        File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>What went wrong, each naming the page, line and command.</summary>
    public IReadOnlyList<string> Failures => failures;

    /// <summary>How each block that is not run as a plain command was handled, for the test's output.</summary>
    public IReadOnlyList<string> Notes => notes;

    public async Task RunAsync(string page, string markdown)
    {
        foreach (var block in DocBlocks.Read(page, markdown))
        {
            switch (block.Directive.Kind)
            {
                case DocDirectiveKind.File:
                    File.WriteAllText(Path.Combine(workspace.Directory, block.Directive.Argument), string.Join('\n', block.Lines) + "\n");
                    break;
                case DocDirectiveKind.NotRun when block.IsShell:
                    notes.Add($"{block.Where}: not run ({block.Directive.Argument}): {string.Join("; ", block.Commands().Select(c => c.Text))}");
                    break;
                case DocDirectiveKind.Ci when block.IsShell:
                    await RunCiBlockAsync(block);
                    break;
                case DocDirectiveKind.Serves when block.IsShell:
                    foreach (var command in block.Commands())
                    {
                        await ServeAsync(block, command);
                    }
                    break;
                case DocDirectiveKind.Run when block.IsShell:
                    foreach (var command in block.Commands())
                    {
                        await RunCommandAsync(block, command, block.Directive.ExitCode);
                    }
                    break;
                case DocDirectiveKind.Run:
                    break; // YAML, text and other blocks that are not commands
                default:
                    failures.Add($"{block.Where}: the marker '{block.Directive.Kind}' is for shell blocks, not '{block.Language}'");
                    break;
            }
        }
    }

    /// <summary>
    /// The Quick start is what <c>.ci/run</c> runs, and CI runs it in full (the whole kl-sweep, then the whole suite,
    /// this test included). Here: the block's lines must be <c>.ci/run</c>'s commands, and of them the <c>exp</c>
    /// commands run on the small fixture, so that the page's later commands have the sweep's runs to read.
    /// </summary>
    private async Task RunCiBlockAsync(DocBlock block)
    {
        var ci = File.ReadAllLines(Path.Combine(RepoPaths.Root, ".ci", "run"))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#') && !line.StartsWith("set ", StringComparison.Ordinal) && !line.StartsWith("cd ", StringComparison.Ordinal))
            .ToList();
        var shown = block.Commands().Select(command => command.Text).ToList();
        if (!shown.SequenceEqual(ci))
        {
            failures.Add($"{block.Where}: the block marked 'ci' must be exactly the commands of .ci/run\n  shown: {string.Join(" | ", shown)}\n  .ci/run: {string.Join(" | ", ci)}");
            return;
        }
        foreach (var command in block.Commands())
        {
            foreach (var part in command.Text.Split("&&", StringSplitOptions.TrimEntries).Where(part => part.StartsWith("exp ", StringComparison.Ordinal)))
            {
                await RunCommandAsync(block, command with { Text = part }, expectedExit: 0);
            }
        }
        notes.Add($"{block.Where}: the commands of .ci/run; CI runs them in full, this test ran their exp commands on the small fixture");
    }

    private async Task RunCommandAsync(DocBlock block, DocCommand command, int expectedExit)
    {
        WriteShrinkOverrides(command.Text);
        using var process = Start(command.Text);
        var result = await process.WaitAsync(CommandLimit);
        var where = $"{block.Page}:{command.Line}: {command.Text}";
        if (result.ExitCode != expectedExit)
        {
            failures.Add($"{where}\n  exited {result.ExitCode}, documented {expectedExit}\n{result}");
            return;
        }
        if (command.ExpectedOutput is { } expected && Normalize(result.Output + result.Error) != Normalize(expected))
        {
            failures.Add($"{where}\n  printed otherwise than shown\n--- shown\n{expected}\n{result}");
        }
    }

    /// <summary>A command that serves until stopped (<c>exp ui</c>): it must answer its first page with 200, then it is stopped.</summary>
    private async Task ServeAsync(DocBlock block, DocCommand command)
    {
        using var process = Start(command.Text);
        var where = $"{block.Page}:{command.Line}: {command.Text}";
        string address;
        try
        {
            address = Address().Match(await process.WaitForLineAsync(line => Address().IsMatch(line), TimeSpan.FromMinutes(2))).Value;
        }
        catch (TimeoutException noAddress)
        {
            failures.Add($"{where}\n  printed no address to open\n{noAddress.Message}");
            return;
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
        using var answer = await http.GetAsync(address);
        if (!answer.IsSuccessStatusCode)
        {
            failures.Add($"{where}\n  {address} answered {(int)answer.StatusCode}");
        }
        notes.Add($"{block.Where}: served {address} (HTTP {(int)answer.StatusCode}), then stopped");
    }

    [GeneratedRegex(@"https?://[^\s)]+")]
    private static partial Regex Address();

    private void WriteShrinkOverrides(string command)
    {
        foreach (Match spec in ExampleSpec().Matches(command))
        {
            var file = Path.Combine(workspace.Directory, ".doc-test", "shrink", spec.Groups["file"].Value);
            if (File.Exists(file))
            {
                continue;
            }
            // A spec that does not load is left as it is: the command then shows its errors, and fails as shown.
            var loaded = Specs.Load(Path.Combine(RepoPaths.Experiments, spec.Groups["file"].Value), []);
            if (loaded.Succeeded)
            {
                // Two trials at once, as ExampleSpecsRunTests runs them: a shown -j or --parallel still wins.
                File.WriteAllLines(file, [.. ShrunkExamples.Overrides(loaded.Plan, Path.Combine(workspace.Directory, ".doc-test")), "execution.parallel=2"]);
            }
        }
    }

    [GeneratedRegex(@"\bexp (?:run|train)\b.*?\bexperiments/(?<file>[\w.-]+\.ya?ml)")]
    private static partial Regex ExampleSpec();

    private static string Normalize(string text) =>
        string.Join('\n', text.Replace("\r\n", "\n").Split('\n').Select(line => line.TrimEnd())).Trim();

    /// <summary>One shown command, with <c>exp</c> the shim and no tracking server or experiment from the environment.</summary>
    private ExpProcess Start(string command) =>
        ExpProcess.Shell(workspace.Directory, new Dictionary<string, string?>
        {
            ["PATH"] = Path.GetDirectoryName(shim) + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["MLFLOW_TRACKING_URI"] = null,
            ["MLFLOW_EXPERIMENT_NAME"] = null,
        }, command);

    public void Dispose() => workspace.Dispose();
}
