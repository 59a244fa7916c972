using System.CommandLine;
using Exp.Cli.Hosting;
using Exp.Cli.Output;
using Exp.Spec;

namespace Exp.Cli.Commands;

/// <summary>The `spec [overrides...]` arguments that every spec-reading verb takes.</summary>
public sealed class SpecArguments
{
    public Argument<string> Spec { get; } = new("spec") { Description = "The experiment spec, a YAML file (e.g. experiments/kl-sweep.yaml)" };

    public Argument<string[]> Overrides { get; } = new("overrides")
    {
        Description = "Hydra-style overrides applied on top of the spec: key.path=value (e.g. train.epochs=20)",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public void AddTo(Command command)
    {
        Overrides.CompletionSources.Add(context => Completions.OverrideKeys(context.ParseResult.GetValue(Spec)));
        command.Arguments.Add(Spec);
        command.Arguments.Add(Overrides);
    }

    /// <summary>Loads the spec; on errors prints them all and returns null.</summary>
    public Plan? Load(ParseResult parseResult) => Load(parseResult, []);

    /// <param name="optionOverrides">Overrides that command-line options stand for (e.g. --launcher slurm), after the written ones.</param>
    public Plan? Load(ParseResult parseResult, IReadOnlyList<string> optionOverrides)
    {
        var result = Specs.Load(
            parseResult.GetValue(Spec)!,
            [.. parseResult.GetValue(Overrides) ?? [], .. optionOverrides],
            Environment.GetEnvironmentVariable("MLFLOW_EXPERIMENT_NAME") ?? "",
            // The memory this process may use (cgroup limits included): trials that cannot fit are refused up front.
            GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        if (result.Succeeded)
        {
            foreach (var warning in result.Plan.Warnings)
            {
                Console.Error.WriteLine($"warning: {warning}");
            }
            return result.Plan;
        }
        ErrorReport.Print(result.Errors);
        return null;
    }
}
