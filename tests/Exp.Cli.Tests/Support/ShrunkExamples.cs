using System.Globalization;
using Exp.Spec;
using StbImageWriteSharp;

namespace Exp.Cli.Tests.Support;

/// <summary>
/// The overrides that shrink an example spec's work (images, epochs, trials, evaluation) while its
/// model, loss and sweep stay its own: how the tests run what a user copies, in seconds.
/// </summary>
public static class ShrunkExamples
{
    /// <summary>The overrides that make an example spec small (an image folder it needs is made in <paramref name="folder"/>): a batch of at most 16 images, one epoch (two with ASHA), two or three trials of a search.</summary>
    public static List<string> Overrides(Plan plan, string folder)
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
            overrides.Add($"data.path={ImageFolder(folder, trainImages + trainImages / 9 + 1, data.ImageSize, data.Channels)}");
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

    /// <summary>A folder (in <paramref name="parent"/>) of <paramref name="count"/> PNGs of smooth colour gradients, every tenth of which the image-folder dataset holds out.</summary>
    private static string ImageFolder(string parent, int count, int size, int channels)
    {
        var folder = Path.Combine(parent, "images");
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
}
