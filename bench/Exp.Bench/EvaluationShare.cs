using System.Globalization;
using System.Text.Json.Nodes;
using Exp.Spec;

namespace Exp.Bench;

/// <summary>
/// The share of a kl-sweep trial that its end-of-trial evaluation takes (the test split with
/// test/iwae and the discretised test/bits_per_dim, then the proposal comparison), read from the
/// run's own record as a user would: from the last epoch's eval/elbo to the last test/* or
/// proposal/* metric, over the run's start to end (meta.yaml). A ratio within one run, so a
/// machine busy with other work changes it less than the seconds. Also a verb that reads the
/// trials of any runs folder, e.g. after `exp run experiments/kl-sweep.yaml`:
///   dotnet run -c Release --project bench/Exp.Bench -- evaluation-share [folder holding runs/]
/// </summary>
public static class EvaluationShare
{
    /// <summary>One trial's times, in seconds; <see cref="Training"/> runs from the start to the last epoch's held-out metrics (steps, per-epoch validation, pictures, checkpoints).</summary>
    public sealed record Trial(string Name, double Seconds, double Training, double Test, double Proposals)
    {
        public double Evaluation => Test + Proposals;

        public double Share => Evaluation / Seconds;
    }

    public sealed record Result(IReadOnlyList<Trial> Trials)
    {
        public void AddTo(JsonObject report)
        {
            double Median(Func<Trial, double> figure) => Math.Round(Statistics.Median(Trials.Select(figure)), 3);
            report["evaluation_share"] = Median(t => t.Share);
            report["evaluation_s"] = new JsonObject
            {
                ["trial"] = Median(t => t.Seconds),
                ["training"] = Median(t => t.Training),
                ["evaluation"] = Median(t => t.Evaluation),
                ["test"] = Median(t => t.Test),
                ["proposals"] = Median(t => t.Proposals),
                ["shares_per_round"] = new JsonArray([.. Trials.Select(t => JsonValue.Create(Math.Round(t.Share, 3)))]),
            };
        }
    }

    /// <summary><c>exp train</c> of the main example's trial (beta 1, the spec's own settings), once per round, each in a fresh folder.</summary>
    public static Result Run(BenchContext context, Action<string> progress)
    {
        var trials = new List<Trial>();
        for (var round = 0; round < context.Rounds; round++)
        {
            var folder = context.NewRunFolder("evaluation-share");
            ProcessProbe.Run(context.Exp, ["train", context.Spec], folder, BenchContext.CleanEnvironment());
            var trial = Read(folder).Single();
            trials.Add(trial);
            progress(BenchContext.Invariant($"evaluation share round {round + 1}/{context.Rounds}: {trial.Evaluation:F1} s of a {trial.Seconds:F1} s trial ({trial.Share:P0}; test {trial.Test:F1} s, proposals {trial.Proposals:F1} s)"));
        }
        return new Result(trials);
    }

    /// <summary>The verb: every finished trial under <c>folder/runs</c>, one line each, then the median share.</summary>
    public static int Print(string folder)
    {
        var trials = Read(folder);
        foreach (var t in trials.OrderBy(t => t.Name, StringComparer.Ordinal))
            Console.WriteLine(BenchContext.Invariant($"{t.Name}: trial {t.Seconds:F1} s, training {t.Training:F1} s, evaluation {t.Evaluation:F1} s (test {t.Test:F1} s, proposals {t.Proposals:F1} s): share {t.Share:F3}"));
        if (trials.Count == 0)
        {
            Console.Error.WriteLine($"no finished trial with test metrics under {Path.Combine(folder, "runs")}");
            return 1;
        }
        Console.WriteLine(BenchContext.Invariant($"{trials.Count} trials: share {trials.Min(t => t.Share):F3} to {trials.Max(t => t.Share):F3}, median {Statistics.Median(trials.Select(t => t.Share)):F3}"));
        return 0;
    }

    /// <summary>The finished runs under <c>folder/runs</c> that logged test metrics (MLflow file store: meta.yaml, metric lines "timestamp value step").</summary>
    public static IReadOnlyList<Trial> Read(string folder)
    {
        var trials = new List<Trial>();
        foreach (var meta in Directory.EnumerateFiles(Path.Combine(folder, "runs"), "meta.yaml", SearchOption.AllDirectories))
        {
            var run = Path.GetDirectoryName(meta)!;
            var metrics = Path.Combine(run, "metrics");
            var fields = File.ReadLines(meta).Select(line => line.Split(':', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].Trim(), p => p[1].Trim());
            if (!Directory.Exists(Path.Combine(metrics, "test")) || !long.TryParse(fields.GetValueOrDefault("end_time"), out var end))
                continue;
            var start = long.Parse(fields["start_time"], CultureInfo.InvariantCulture);
            var lastEpoch = LastTimestamp(Path.Combine(metrics, Metrics.Elbo));
            var testDone = Directory.EnumerateFiles(Path.Combine(metrics, "test")).Max(LastTimestamp);
            var proposals = Path.Combine(metrics, Metrics.ProposalPrefix.TrimEnd('/'));
            var proposalsDone = Directory.Exists(proposals) ? Directory.EnumerateFiles(proposals, "*", SearchOption.AllDirectories).Max(LastTimestamp) : testDone;
            trials.Add(new Trial(fields.GetValueOrDefault("run_name", Path.GetFileName(run)).Trim('\''), (end - start) / 1000.0, (lastEpoch - start) / 1000.0,
                (testDone - lastEpoch) / 1000.0, (proposalsDone - testDone) / 1000.0));
        }
        return trials;
    }

    private static long LastTimestamp(string metricFile) =>
        File.ReadLines(metricFile).Where(line => line.Length > 0).Max(line => long.Parse(line.Split(' ')[0], CultureInfo.InvariantCulture));
}
