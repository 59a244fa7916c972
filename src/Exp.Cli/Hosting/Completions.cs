using System.CommandLine.Completions;
using System.Text.Json.Nodes;
using Exp.Runner.Catalog;
using Exp.Spec;

namespace Exp.Cli.Hosting;

/// <summary>
/// What shell completion offers beyond commands and options (which System.CommandLine knows):
/// the keys of a spec's trial config as overrides, and the trials of a local store.
/// </summary>
public static class Completions
{
    /// <summary>`key.path=` for every key of the spec's trial config (the spec already on the line), as its overrides.</summary>
    public static IEnumerable<CompletionItem> OverrideKeys(string? specPath)
    {
        if (string.IsNullOrEmpty(specPath) || !File.Exists(specPath))
        {
            return [];
        }
        var loaded = Specs.Load(specPath, [], "");
        return loaded.Succeeded && loaded.Plan.Trials.Length > 0
            ? Leaves(JsonNode.Parse(loaded.Plan.Trials[0].ConfigJson), "").Select(key => new CompletionItem($"{key}=")).ToList()
            : [];
    }

    /// <summary>The names and ids of the trials in a local store.</summary>
    public static IEnumerable<CompletionItem> Trials(string runsFolder)
    {
        if (!Directory.Exists(runsFolder))
        {
            return [];
        }
        var catalog = RunCatalog.Open(runsFolder);
        var trials = catalog.Sweeps().SelectMany(s => s.Trials).Concat(catalog.Standalone().Select(s => s.Trial)).ToList();
        return trials.Select(t => t.Name).Concat(trials.Select(t => t.TrialId)).Distinct().Select(word => new CompletionItem(word)).ToList();
    }

    private static IEnumerable<string> Leaves(JsonNode? node, string path) => node switch
    {
        JsonObject section => section.SelectMany(entry => Leaves(entry.Value, path.Length == 0 ? entry.Key : $"{path}.{entry.Key}")),
        _ when path.Length > 0 => [path],
        _ => [],
    };
}
