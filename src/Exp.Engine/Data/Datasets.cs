using Exp.Spec;
using static TorchSharp.torch;

namespace Exp.Engine.Data;

/// <summary>
/// Loads the dataset a <see cref="DataConfig"/> names, on the CPU. The config is Spec's,
/// validated there (defaults filled in, values in range); what can only be found here, on
/// disk, is reported here.
/// </summary>
public static class Datasets
{
    public static ImageDataset Load(DataConfig config, int seed)
    {
        EngineAssert.That(config.Channels is 1 or 3 && config.ImageSize >= 1, "data.channels is 1 or 3 and data.image_size positive");
        var (train, test) = config.Dataset switch
        {
            DatasetKind.FashionMnist => FashionMnist(config),
            DatasetKind.Idx => Idx(config.Path, config),
            DatasetKind.ImageFolder => ImageFolder.Load(config),
            DatasetKind.Synthetic => (
                SyntheticShapes.Draw(config.TrainLimit ?? SyntheticShapes.DefaultTrainCount, config.ImageSize, config.Channels, seed),
                SyntheticShapes.Draw(config.TestLimit ?? SyntheticShapes.DefaultTestCount, config.ImageSize, config.Channels, seed + 1)),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Dataset, "unknown dataset"),
        };
        var (kept, validation) = HoldOut(train, config.Validation, seed);
        train.Dispose();
        return new ImageDataset(kept, validation, test);
    }

    /// <summary>
    /// Splits max(1, floor(share * N)) images, chosen by a permutation of <paramref name="seed"/>,
    /// off the training images: the same seed holds out the same images on every machine. Both
    /// parts keep the images' order.
    /// </summary>
    public static (Tensor Train, Tensor Validation) HoldOut(Tensor images, double share, int seed)
    {
        var count = images.shape[0];
        var held = ValidationCount(count, share);
        if (held >= count)
            throw new ArgumentException($"data.validation {share} of {count} training images must leave at least one image to train on");
        var order = Training.Shuffle.Permutation(count, seed, ValidationStream);
        using var heldIndex = tensor(order[..(int)held].Order().ToArray());
        using var keptIndex = tensor(order[(int)held..].Order().ToArray());
        return (images.index_select(0, keptIndex), images.index_select(0, heldIndex));
    }

    /// <summary>max(1, floor(share * N)): the images held out for validation (as the spec checks it).</summary>
    public static long ValidationCount(long count, double share) => Math.Max(1, (long)Math.Floor(count * share));

    /// <summary>The permutation stream of the validation split, apart from every epoch's shuffle (epochs count from 0).</summary>
    private const int ValidationStream = -1;

    private static (Tensor Train, Tensor Test) FashionMnist(DataConfig config)
    {
        var folder = config.Path;
        var trainPath = Path.Combine(folder, "train-images-idx3-ubyte.gz");
        var testPath = Path.Combine(folder, "t10k-images-idx3-ubyte.gz");
        foreach (var path in new[] { trainPath, testPath })
        {
            if (!File.Exists(path))
                throw new DataNotFoundException(
                    $"Fashion-MNIST not found: {path} is missing. Install it with `sudo apt-get install dataset-fashion-mnist`" +
                    (folder == DataDefaults.FashionMnistPath ? "." : $", or set data.path to the folder holding the IDX files (now {folder})."));
        }
        return (FromIdx(trainPath, config.TrainLimit, config), FromIdx(testPath, config.TestLimit, config));
    }

    /// <summary>A folder with one training and one held-out IDX image file, as MNIST-like datasets ship.</summary>
    private static (Tensor Train, Tensor Test) Idx(string folder, DataConfig config)
    {
        if (!Directory.Exists(folder))
            throw new DataNotFoundException($"IDX folder not found: {folder}");
        var images = Directory.GetFiles(folder).Where(f => Path.GetFileName(f).Contains("images", StringComparison.OrdinalIgnoreCase)).Order().ToArray();
        var train = images.Where(f => Path.GetFileName(f).Contains("train", StringComparison.OrdinalIgnoreCase)).ToArray();
        var test = images.Where(f => Path.GetFileName(f) is var n &&
            (n.Contains("t10k", StringComparison.OrdinalIgnoreCase) || n.Contains("test", StringComparison.OrdinalIgnoreCase))).ToArray();
        if (train.Length != 1 || test.Length != 1)
            throw new DataNotFoundException(
                $"{folder} must hold one training and one test IDX image file (names containing 'images' and 'train', and 'images' and 't10k' or 'test'); found [{string.Join(", ", images.Select(Path.GetFileName))}]");
        return (FromIdx(train[0], config.TrainLimit, config), FromIdx(test[0], config.TestLimit, config));
    }

    private static Tensor FromIdx(string path, int? limit, DataConfig config)
    {
        var idx = IdxFile.Read(path, limit);
        var channels = idx.Dimensions.Length switch
        {
            3 => 1,
            4 => idx.Dimensions[3],
            _ => throw new InvalidDataException($"{path} holds {idx.Dimensions.Length}-dimensional data, not images (N, H, W) or (N, H, W, C)"),
        };
        var images = ImageTensors.FromBytes(idx.Data, idx.Dimensions[0], idx.Dimensions[1], idx.Dimensions[2], channels);
        return ImageTensors.Conform(images, config.Channels, config.ImageSize);
    }
}
