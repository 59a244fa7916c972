using Exp.Spec;

namespace Exp.Catalog;

/// <summary>
/// Where an early-stopping scheduler (ASHA) stopped a trial for good, and why. Its run is FINISHED
/// with what it reached, so MLflow lists it beside the others, but it did not train every epoch:
/// what people read says so (Optuna's PRUNED, Ray Tune's "TERMINATED (early stopped)").
/// </summary>
/// <param name="Epoch">The last epoch it trained; null when its run logged none.</param>
/// <param name="Epochs">The epochs it was to train (its train.epochs, the scheduler's max_epochs); null when its run does not say.</param>
/// <param name="Why">The scheduler's reason, as tagged on its run.</param>
public sealed record TrialPruning(int? Epoch, int? Epochs, string Why)
{
    /// <summary>A trial pruned where the last value of its run's `epoch` metric says it stopped.</summary>
    /// <param name="metrics">The last value of each metric of its run.</param>
    public static TrialPruning After(IReadOnlyDictionary<string, double> metrics, int? epochs, string why) =>
        new(metrics.TryGetValue(Metrics.Epoch, out var epoch) ? (int)epoch : null, epochs, why);

    /// <summary>The trial's status where one is shown: "pruned at 3/9".</summary>
    public string Status => Epoch is { } epoch ? $"pruned at {epoch}/{Epochs?.ToString() ?? "?"}" : "pruned";
}
