using static TorchSharp.torch;

namespace Exp.Engine.Data;

/// <summary>
/// Training, validation and test images, each split one float tensor (N, C, H, W) in [0, 1] that
/// lives on the training device for the whole run, so batches are gathered by index without
/// copies from the host. Validation is held out of the training images for the per-epoch
/// metrics that model selection reads; the test split is evaluated once, at the end.
/// </summary>
public sealed class ImageDataset : IDisposable
{
    public ImageDataset(Tensor train, Tensor validation, Tensor test)
    {
        foreach (var split in new[] { validation, test })
        {
            if (train.shape.Length != 4 || split.shape.Length != 4 || !train.shape.Skip(1).SequenceEqual(split.shape.Skip(1)))
                throw new ArgumentException($"train {Shape(train)} and held-out {Shape(split)} must both be (N, C, H, W) of one image shape");
        }
        Train = train;
        Validation = validation;
        Test = test;
    }

    public Tensor Train { get; }
    public Tensor Validation { get; }
    public Tensor Test { get; }
    public int Channels => (int)Train.shape[1];
    public int ImageSize => (int)Train.shape[2];

    /// <summary>The same images on <paramref name="device"/>; this dataset is disposed when they had to be copied.</summary>
    public ImageDataset MoveTo(Device device)
    {
        if (device.type == Train.device.type && device.index == Train.device.index)
            return this;
        var moved = new ImageDataset(Train.to(device), Validation.to(device), Test.to(device));
        Dispose();
        return moved;
    }

    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }

    private static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
}
