using Exp.Engine.Data;
using Exp.Spec;
using StbImageWriteSharp;
using static TorchSharp.torch;

namespace Exp.Engine.Tests.Data;

public sealed class DatasetsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("exp-data-").FullName;

    [Fact]
    public void Fashion_mnist_loads_capped_splits_in_0_1()
    {
        using var data = Datasets.Load(TestConfigs.FashionMnist(300, 100), seed: 1);

        Assert.Equal([270, 1, 28, 28], data.Train.shape);
        Assert.Equal([30, 1, 28, 28], data.Validation.shape);
        Assert.Equal([100, 1, 28, 28], data.Test.shape);
        Assert.Equal(0f, data.Train.min().item<float>());
        Assert.Equal(1f, data.Train.max().item<float>());
        Assert.InRange(data.Train.mean().item<float>(), 0.2f, 0.4f);
    }

    [Fact]
    public void The_validation_split_is_a_seeded_share_of_the_training_images()
    {
        using var all = Datasets.Load(new DataConfig(DatasetKind.FashionMnist, DataDefaults.FashionMnistPath, 28, 1, 300, 10, 0.5), seed: 1);
        var images = cat([all.Train, all.Validation]);

        var (train, validation) = Datasets.HoldOut(images, 0.2, seed: 3);
        var (again, _) = Datasets.HoldOut(images, 0.2, seed: 3);
        var (other, _) = Datasets.HoldOut(images, 0.2, seed: 4);

        Assert.Equal((240L, 60L), (train.shape[0], validation.shape[0]));
        // Together they are the images, each once: the same sums of pixels.
        Assert.Equal(images.sum().item<float>(), train.sum().item<float>() + validation.sum().item<float>(), 0.5f);
        Assert.True(train.allclose(again, 0, 0));
        Assert.False(train.allclose(other, 0, 0));
        Assert.Equal(1, Datasets.ValidationCount(5, 0.1));
    }

    [Fact]
    public void Fashion_mnist_converts_to_rgb_and_resizes()
    {
        using var data = Datasets.Load(new DataConfig(DatasetKind.FashionMnist, DataDefaults.FashionMnistPath, 32, 3, 10, 10, 0.1), seed: 1);

        Assert.Equal([9, 3, 32, 32], data.Train.shape);
        Assert.Equal(data.Train[.., 0], data.Train[.., 2]);
    }

    [Fact]
    public void Missing_fashion_mnist_names_the_path_and_the_package()
    {
        var error = Assert.Throws<DataNotFoundException>(() =>
            Datasets.Load(new DataConfig(DatasetKind.FashionMnist, folder, 28, 1, null, null, 0.1), seed: 1));

        Assert.Contains(Path.Combine(folder, "train-images-idx3-ubyte.gz"), error.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", error.Message);
    }

    [Fact]
    public void Idx_reads_an_uncompressed_pair_from_a_folder()
    {
        WriteIdx(Path.Combine(folder, "train-images.idx3-ubyte"), 6, 8, 0);
        WriteIdx(Path.Combine(folder, "test-images.idx3-ubyte"), 2, 8, 255);
        File.WriteAllText(Path.Combine(folder, "README"), "labels are elsewhere");

        using var data = Datasets.Load(new DataConfig(DatasetKind.Idx, folder, 8, 1, 4, null, 0.1), seed: 1);

        Assert.Equal([3, 1, 8, 8], data.Train.shape);
        Assert.Equal([1, 1, 8, 8], data.Validation.shape);
        Assert.Equal([2, 1, 8, 8], data.Test.shape);
        Assert.Equal(1f, data.Test.min().item<float>());
    }

    [Fact]
    public void Image_folders_hold_out_every_tenth_file_and_conform_channels_and_size()
    {
        for (var i = 0; i < 20; i++)
            WritePng(Path.Combine(folder, $"img{i:D2}.png"), 40, 30, (byte)(i * 10));

        using var grey = Datasets.Load(new DataConfig(DatasetKind.ImageFolder, folder, 16, 1, null, null, 0.1), seed: 1);
        using var rgb = Datasets.Load(new DataConfig(DatasetKind.ImageFolder, folder, 16, 3, 5, null, 0.1), seed: 1);

        Assert.Equal([17, 1, 16, 16], grey.Train.shape);
        Assert.Equal([2, 1, 16, 16], grey.Test.shape);
        Assert.Equal(90 / 255f, grey.Test[0].mean().item<float>(), 1e-3f);
        Assert.Equal([4, 3, 16, 16], rgb.Train.shape);
    }

    [Fact]
    public void An_unreadable_image_names_its_file()
    {
        for (var i = 0; i < 10; i++)
            WritePng(Path.Combine(folder, $"a{i}.png"), 8, 8, 0);
        File.WriteAllText(Path.Combine(folder, "b.png"), "not a png");

        var error = Assert.Throws<DataNotFoundException>(() =>
            Datasets.Load(new DataConfig(DatasetKind.ImageFolder, folder, 8, 3, null, null, 0.1), seed: 1));

        Assert.Contains(Path.Combine(folder, "b.png"), error.Message);
    }

    [Fact]
    public void Synthetic_shapes_depend_on_the_seed_alone()
    {
        var config = new DataConfig(DatasetKind.Synthetic, "", 16, 3, 32, 8, 0.1);
        using var a = Datasets.Load(config, seed: 5);
        using var b = Datasets.Load(config, seed: 5);
        using var c = Datasets.Load(config, seed: 6);

        Assert.Equal([29, 3, 16, 16], a.Train.shape);
        Assert.True(a.Train.allclose(b.Train, 0, 0) && a.Test.allclose(b.Test, 0, 0));
        Assert.False(a.Train.allclose(c.Train, 0, 0));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static void WriteIdx(string path, int count, int size, byte value)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(new byte[] { 0, 0, 8, 3 });
        foreach (var d in new[] { count, size, size })
            writer.Write(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(d));
        writer.Write(Enumerable.Repeat(value, count * size * size).ToArray());
    }

    private static void WritePng(string path, int width, int height, byte grey)
    {
        using var file = File.Create(path);
        new ImageWriter().WritePng(Enumerable.Repeat(grey, width * height * 3).ToArray(), width, height, ColorComponents.RedGreenBlue, file);
    }
}
