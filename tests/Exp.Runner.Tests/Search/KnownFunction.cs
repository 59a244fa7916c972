using Exp.Runner.Search;
using Exp.Spec;

namespace Exp.Runner.Tests.Search;

/// <summary>
/// A search problem whose answer is known: a trial's "metric" is a fixed function of its
/// learning rate, KL weight, latent size and activation, plus a learning curve in the epoch that
/// keeps the trials' order, so the best trial at any rung is the best at the end.
/// </summary>
public static class KnownFunction
{
    /// <summary>The best value there is: lr 1e-3, kl_weight 0.3, latent_dim 20, silu, at the last epoch.</summary>
    public const double Optimum = 0.5;

    public static Plan Plan(string method, int trials, int startup, int seed, string scheduler = "", int epochs = 27, int replicates = 1)
    {
        var text = $$"""
            experiment: known-function
            train:
              epochs: {{epochs}}
            sweep:
              method: {{method}}
              trials: {{trials}}
              {{(method == "tpe" ? $"startup_trials: {startup}" : "")}}
              seed: {{seed}}
              replicates: {{replicates}}
              {{scheduler}}
              parameters:
                train.lr: {distribution: loguniform, min: 1.0e-5, max: 1.0e-1}
                loss.kl_weight: {distribution: uniform, min: 0.0, max: 1.0}
                model.latent_dim: {distribution: int_uniform, min: 2, max: 64}
                model.activation: {choice: [relu, gelu, silu]}
            """;
        var result = Specs.Parse(text, "known-function.yaml");
        Assert.True(result.Succeeded, string.Join("\n", result.Errors.Select(e => e.ToString())));
        return result.Plan;
    }

    /// <summary>The quality of a config: 0.5 at the optimum, falling off quadratically (lr in decades).</summary>
    public static double Quality(Trial trial)
    {
        var config = trial.Config;
        var lr = Math.Log10(config.Train.Lr) + 3;
        var kl = (config.Loss.KlWeight - 0.3) * 2;
        var latent = (config.Model.LatentDim - 20) / 15.0;
        var activation = config.Model.Activation == Activation.Silu ? 0.5 : 0.0;
        return activation - lr * lr - kl * kl - latent * latent;
    }

    /// <summary>The metric after <paramref name="epoch"/> epochs: the quality minus a learning curve the same for every config.</summary>
    public static double Metric(Trial trial, int epoch, int maxEpochs) => Quality(trial) - 1.0 / epoch + 1.0 / maxEpochs;
}

/// <summary>
/// A trainer for tests: "trains" a segment by moving the trial's checkpoint forward and returns
/// the known function there. It checks that each segment starts where the trial's checkpoint
/// is (a promotion continues, never retrains) and counts every epoch trained.
/// </summary>
/// <param name="checkpoints">Where each trial's checkpoint already is, by trial id (a resumed sweep).</param>
public sealed class FakeTrainer(int maxEpochs, IReadOnlyDictionary<string, int>? checkpoints = null)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, int> checkpoints = checkpoints is null ? [] : new(checkpoints);

    public long EpochsTrained { get; private set; }

    /// <summary>Epochs each trial has trained to, by trial id.</summary>
    public IReadOnlyDictionary<string, int> Checkpoints => checkpoints;

    public List<string> Errors { get; } = [];

    /// <summary>Stop the sweep in the middle of the segment after this many segments (Ctrl-C mid-epoch).</summary>
    public int? InterruptAfterSegments { get; set; }

    public CancellationTokenSource Stop { get; } = new();

    private int segments;

    public async Task<SegmentEnd> Train(Segment segment, CancellationToken stop)
    {
        await Task.Yield();
        lock (gate)
        {
            var at = checkpoints.GetValueOrDefault(segment.Trial.Id);
            if (segment.FromEpochs > at)
            {
                Errors.Add($"trial {segment.Search.Number} asked to continue from epoch {segment.FromEpochs} but its checkpoint is at {at}");
            }
            if (at > segment.ToEpochs)
            {
                Errors.Add($"trial {segment.Search.Number} is at epoch {at}, past its segment's end {segment.ToEpochs}");
            }
            segments++;
            if (segments == InterruptAfterSegments)
            {
                // Half the segment trains and checkpoints, then the user stops the sweep.
                var halfway = at + (segment.ToEpochs - at) / 2;
                EpochsTrained += halfway - at;
                checkpoints[segment.Trial.Id] = halfway;
                Stop.Cancel();
                return new SegmentEnd.Interrupted();
            }
            EpochsTrained += segment.ToEpochs - at;
            checkpoints[segment.Trial.Id] = segment.ToEpochs;
        }
        return new SegmentEnd.Reached(KnownFunction.Metric(segment.Trial, segment.ToEpochs, maxEpochs));
    }
}

/// <summary>The records of an adaptive sweep kept in memory.</summary>
public sealed class MemoryRecords : ISearchRecords
{
    private readonly SortedDictionary<int, SearchTrial> trials = [];
    private int proposals;

    public (IReadOnlyList<SearchTrial> Trials, int Proposals) Load() => ([.. trials.Values], proposals);

    public void Proposed(SearchTrial trial, Trial config)
    {
        trials[trial.Number] = trial;
        proposals = Math.Max(proposals, trial.Number);
    }

    public void Duplicate(int number, string trialId) => proposals = Math.Max(proposals, number);

    public void Granted(int number, int epochs) => trials[number] = trials[number] with { Epochs = epochs, Phase = SearchPhase.Running };

    public void Reached(int number, int epochs, double value, bool completed) =>
        trials[number] = trials[number] with
        {
            Rungs = new Dictionary<int, double>(trials[number].Rungs) { [epochs] = value },
            Phase = completed ? SearchPhase.Completed : SearchPhase.Paused,
        };

    public void Failed(int number, string reason) => trials[number] = trials[number] with { Phase = SearchPhase.Failed };

    public void Pruned(IReadOnlyList<(int Number, int Epochs, double Value)> pruned)
    {
        foreach (var (number, _, _) in pruned)
        {
            trials[number] = trials[number] with { Phase = SearchPhase.Pruned };
        }
    }
}
