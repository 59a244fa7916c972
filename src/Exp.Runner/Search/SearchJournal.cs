using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Exp.Spec;

namespace Exp.Runner.Search;

/// <summary>
/// An adaptive sweep's decisions as an append-only journal of JSON lines, replayed on load
/// (as Optuna's journal storage is): proposed (with the proposal's values), promoted, reached a
/// rung with a value, failed, pruned. Each line is flushed to disk before the decision takes
/// effect. A line cut short by a crash is the last one, and is dropped on load: the decision it
/// began was never acted on.
/// </summary>
public sealed class SearchJournal(string path) : ISearchRecords
{
    /// <summary>Where a sweep keeps its journal: an artifact of the sweep's run, so MLflow shows the decisions too.</summary>
    public const string Artifact = "search/decisions.jsonl";

    /// <summary>The journal of the sweep whose run is <paramref name="sweepRunId"/>.</summary>
    public static SearchJournal Of(Exp.Tracking.LocalStore.FileStore store, string sweepRunId) =>
        new(System.IO.Path.Combine(store.ArtifactDirectory(sweepRunId), Artifact));

    public string Path => path;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Values round-trip exactly: a reloaded proposal is the same config.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private sealed record Entry(
        string Event,
        int Number,
        string? TrialId = null,
        double[]? Values = null,
        int? Epochs = null,
        double? Value = null,
        string? Reason = null);

    public (IReadOnlyList<SearchTrial> Trials, int Proposals) Load()
    {
        var trials = new SortedDictionary<int, SearchTrial>();
        var proposals = 0;
        if (!File.Exists(path))
        {
            return ([], 0);
        }
        foreach (var line in File.ReadAllLines(path))
        {
            Entry? entry;
            try
            {
                entry = JsonSerializer.Deserialize<Entry>(line, Json);
            }
            catch (JsonException)
            {
                continue;
            }
            if (entry is null)
            {
                continue;
            }
            proposals = Math.Max(proposals, entry.Number);
            switch (entry.Event)
            {
                case "proposed":
                    trials[entry.Number] = new SearchTrial(entry.Number, entry.TrialId!, entry.Values ?? [], entry.Epochs!.Value, new Dictionary<int, double>(), SearchPhase.Running);
                    break;
                case "promoted" when trials.TryGetValue(entry.Number, out var trial):
                    trials[entry.Number] = trial with { Epochs = entry.Epochs!.Value, Phase = SearchPhase.Running };
                    break;
                case "reached" when trials.TryGetValue(entry.Number, out var trial):
                    var epochs = entry.Epochs!.Value;
                    trials[entry.Number] = trial with
                    {
                        Rungs = new Dictionary<int, double>(trial.Rungs) { [epochs] = entry.Value ?? double.NaN },
                        Phase = entry.Reason == "completed" ? SearchPhase.Completed : SearchPhase.Paused,
                    };
                    break;
                case "failed" when trials.TryGetValue(entry.Number, out var trial):
                    trials[entry.Number] = trial with { Phase = SearchPhase.Failed };
                    break;
                case "pruned" when trials.TryGetValue(entry.Number, out var trial):
                    trials[entry.Number] = trial with { Phase = SearchPhase.Pruned };
                    break;
            }
        }
        return ([.. trials.Values], proposals);
    }

    public void Proposed(SearchTrial trial, Trial config) =>
        Append(new Entry("proposed", trial.Number, config.Id, [.. trial.Values], trial.Epochs));

    public void Duplicate(int number, string trialId) => Append(new Entry("duplicate", number, trialId));

    public void Granted(int number, int epochs) => Append(new Entry("promoted", number, Epochs: epochs));

    public void Reached(int number, int epochs, double value, bool completed) =>
        Append(new Entry("reached", number, Epochs: epochs, Value: value, Reason: completed ? "completed" : null));

    public void Failed(int number, string reason) => Append(new Entry("failed", number, Reason: reason));

    public void Pruned(IReadOnlyList<(int Number, int Epochs, double Value)> trials)
    {
        foreach (var (number, epochs, value) in trials)
        {
            Append(new Entry("pruned", number, Epochs: epochs, Value: value));
        }
    }

    private void Append(Entry entry)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var line = JsonSerializer.Serialize(entry, Json) + "\n";
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        // A crash may have cut the last line short: start on a fresh line so this one reads whole.
        if (stream.Length > 0 && LastByte(path) != '\n')
        {
            stream.Write("\n"u8);
        }
        stream.Write(Encoding.UTF8.GetBytes(line));
        stream.Flush(flushToDisk: true);
    }

    private static int LastByte(string path)
    {
        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        reader.Seek(-1, SeekOrigin.End);
        return reader.ReadByte();
    }
}
