using System.Text.Json;
using System.Text.Json.Serialization;

namespace Exp.Runner.Trials;

/// <summary>
/// What a trial process tells `exp run` about its progress: one JSON line on stdout behind
/// a marker, so anything else the process prints passes through untouched.
/// </summary>
public sealed record TrialEvent(
    TrialEventKind Kind,
    int Epoch,
    int Epochs,
    long Step,
    double Progress,
    double? Loss = null,
    IReadOnlyDictionary<string, double>? Metrics = null,
    string? Message = null,
    int? Restart = null)
{
    private const string Marker = "@exp-trial ";

    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string Encode() => Marker + JsonSerializer.Serialize(this, Json);

    public static TrialEvent? TryDecode(string line) =>
        line.StartsWith(Marker, StringComparison.Ordinal) ? JsonSerializer.Deserialize<TrialEvent>(line[Marker.Length..], Json) : null;
}

public enum TrialEventKind
{
    /// <summary>Training started, or resumed from the checkpoint of <c>Epoch</c>.</summary>
    Started,
    Step,
    /// <summary>An epoch was evaluated; <c>Metrics</c> holds the held-out metrics.</summary>
    Evaluated,
    /// <summary>
    /// A cluster started the trial's job, first or again after a requeue, before anything else:
    /// <c>Message</c> names the node, <c>Restart</c> counts the requeues so far. For the launcher, not the sweep's view.
    /// </summary>
    Placed,
}
