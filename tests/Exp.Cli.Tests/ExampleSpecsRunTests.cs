using System.Globalization;
using Exp.Cli.Tests.Support;
using Exp.Engine.Objective;
using Exp.Spec;
using Exp.Testing;
using Exp.Tracking.Model;
using StbImageWriteSharp;

namespace Exp.Cli.Tests;

/// <summary>
/// Every spec in <c>experiments/</c> runs through <c>exp run</c> and finishes every trial: what
/// a user who copies an example gets. Found by glob, so a new example is covered without
/// editing this test. The overrides only shrink the work (images, epochs, trials, evaluation);
/// model, loss and sweep stay the example's own.
/// </summary>
public sealed class ExampleSpecsRunTests : IDisposable
{
    private readonly Workspace workspace = new();

    public static TheoryData<string> Examples() =>
        [.. Directory.GetFiles(RepoPaths.Experiments, "*.yaml").Select(file => Path.GetFileName(file)).Order()];

    [Fact]
    public void The_examples_are_found()
    {
        Assert.True(Examples().Count >= 5, $"expected the five example specs in {RepoPaths.Experiments}");
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Every_trial_of_the_example_finishes_through_exp_run(string file)
    {
        var spec = Path.Combine(RepoPaths.Experiments, file);
        var overrides = Shrunk(Plan(spec, []));
        var plan = Plan(spec, overrides);

        var result = await ExpProcess.RunAsync(workspace.Directory, ["run", spec, "--parallel", "2", .. overrides]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var trials = workspace.Trials(plan.Experiment);
        Assert.Equal(plan.Search?.Trials ?? plan.Trials.Length, trials.Count);
        foreach (var trial in trials)
        {
            Assert.True(trial.Run.Status == RunStatus.Finished, $"{trial.Name}: {trial.Run.Status} {trial.Failure}\n{result}");
            Assert.Contains(workspace.History(trial, Metrics.Elbo), metric => double.IsFinite(metric.Value));
            // The config the trial trained, read back from its run by the code that wrote it, is the trial's.
            var stored = File.ReadAllText(Path.Combine(workspace.Store.ArtifactDirectory(trial.RunId), "config.json"));
            var config = Specs.ReadTrialConfig(stored, $"{trial.Name} config.json");
            Assert.True(config.Succeeded, string.Join("\n", config.Errors.Select(e => e.ToString())));
            Assert.Equal(trial.TrialId, Specs.TrialId(config.Config));
            if (plan.Search is null)
            {
                Assert.Equal(plan.Trials.Single(t => t.Id == trial.TrialId).Config, config.Config);
            }
        }
    }

    private static Plan Plan(string spec, IReadOnlyList<string> overrides)
    {
        var loaded = Specs.Load(spec, overrides);
        Assert.True(loaded.Succeeded, string.Join("\n", loaded.Errors.Select(e => e.ToString())));
        return loaded.Plan;
    }

    /// <summary>The overrides that make the example small: a batch of at most 16 images, one epoch (two with ASHA), two or three trials of a search.</summary>
    private List<string> Shrunk(Plan plan)
    {
        var config = plan.Base.Config;
        var data = config.Data;
        var batchSize = Math.Min(config.Train.BatchSize, 16);
        // The fewest images that hold out a validation share and still train one full batch.
        var trainImages = Enumerable.Range(batchSize + 1, 10 * batchSize)
            .First(n => n - Math.Max(1, (int)Math.Floor(n * data.Validation)) >= batchSize);
        List<string> overrides =
        [
            $"train.batch_size={batchSize}",
            $"data.train_limit={trainImages}",
            "data.test_limit=16",
            "eval.sample_count=4",
            "eval.reconstruction_count=4",
            "eval.test_iwae_samples=2",
            "eval.proposal_k=[1, 2]",
            "eval.proposal_images=2",
            "eval.proposal_repeats=2",
        ];
        if (data.Dataset == DatasetKind.ImageFolder)
        {
            overrides.Add($"data.path={ImageFolder(trainImages + trainImages / 9 + 1, data.ImageSize, data.Channels)}");
        }
        if (plan.Scheduler.Kind == SchedulerKind.Asha)
        {
            // ASHA's max_epochs is every trial's train.epochs: one rung below it, then the end.
            overrides.AddRange(["sweep.scheduler.min_epochs=1", "sweep.scheduler.max_epochs=2", "sweep.trials=3"]);
        }
        else
        {
            overrides.Add("train.epochs=1");
            if (plan.SweepMethod is "random" or "tpe")
            {
                overrides.Add("sweep.trials=2");
            }
        }
        return overrides;
    }

    /// <summary>A folder of <paramref name="count"/> PNGs of smooth colour gradients, every tenth of which the image-folder dataset holds out.</summary>
    private string ImageFolder(int count, int size, int channels)
    {
        var folder = Path.Combine(workspace.Directory, "images");
        Directory.CreateDirectory(folder);
        var random = new Random(1);
        var components = channels == 1 ? ColorComponents.Grey : ColorComponents.RedGreenBlue;
        for (var i = 0; i < count; i++)
        {
            var (dx, dy) = (random.NextDouble(), random.NextDouble());
            var pixels = new byte[size * size * channels];
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    for (var c = 0; c < channels; c++)
                    {
                        pixels[((y * size) + x) * channels + c] = (byte)(255 * (0.5 + 0.5 * Math.Sin((dx * x + dy * y + c) / 8.0)));
                    }
                }
            }
            using var file = File.Create(Path.Combine(folder, $"face-{i.ToString("D3", CultureInfo.InvariantCulture)}.png"));
            new ImageWriter().WritePng(pixels, size, size, components, file);
        }
        return folder;
    }

    public void Dispose() => workspace.Dispose();
}
