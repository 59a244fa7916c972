using Exp.Spec;
using StbImageSharp;
using static TorchSharp.torch;

namespace Exp.Engine.Data;

/// <summary>
/// PNG and JPEG files in a folder (searched recursively). With <c>train/</c> and <c>test/</c>
/// subfolders those are the splits; otherwise every tenth file in name order is held out, so
/// the held-out set does not depend on the seed and trials compare on the same images.
/// </summary>
public static class ImageFolder
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    public static (Tensor Train, Tensor Test) Load(DataConfig config)
    {
        var folder = config.Path;
        if (!Directory.Exists(folder))
            throw new DataNotFoundException($"image folder not found: {folder}");

        string[] train, test;
        if (Directory.Exists(Path.Combine(folder, "train")) && Directory.Exists(Path.Combine(folder, "test")))
        {
            train = Files(Path.Combine(folder, "train"));
            test = Files(Path.Combine(folder, "test"));
        }
        else
        {
            var all = Files(folder);
            train = all.Where((_, i) => i % 10 != 9).ToArray();
            test = all.Where((_, i) => i % 10 == 9).ToArray();
        }
        if (train.Length == 0 || test.Length == 0)
            throw new DataNotFoundException($"{folder} has too few PNG/JPEG images for a training and a held-out split ({train.Length} and {test.Length})");

        return (Decode(train.Take(config.TrainLimit ?? int.MaxValue).ToArray(), config),
                Decode(test.Take(config.TestLimit ?? int.MaxValue).ToArray(), config));
    }

    private static string[] Files(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal)
            .ToArray();

    private static Tensor Decode(string[] files, DataConfig config)
    {
        var components = config.Channels == 1 ? ColorComponents.Grey : ColorComponents.RedGreenBlue;
        var result = zeros(files.Length, config.Channels, config.ImageSize, config.ImageSize);
        for (var i = 0; i < files.Length; i++)
        {
            using var scope = NewDisposeScope();
            ImageResult image;
            try
            {
                image = ImageResult.FromMemory(File.ReadAllBytes(files[i]), components);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException)
            {
                throw new DataNotFoundException($"cannot read image {files[i]}: {e.Message}");
            }
            var pixels = ImageTensors.FromBytes(image.Data, 1, image.Height, image.Width, config.Channels);
            result[i].copy_(ImageTensors.Conform(pixels, config.Channels, config.ImageSize)[0]);
        }
        return result;
    }
}
