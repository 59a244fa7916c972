using static TorchSharp.torch;

namespace Exp.Engine.Data;

/// <summary>Turns decoded pixels into the float (N, C, H, W) tensors a dataset holds.</summary>
public static class ImageTensors
{
    /// <summary>Bytes laid out (N, H, W, C) to floats (N, C, H, W) in [0, 1].</summary>
    public static Tensor FromBytes(byte[] pixels, int count, int height, int width, int channels)
    {
        using var scope = NewDisposeScope();
        var bytes = tensor(pixels, [count, height, width, channels], ScalarType.Byte);
        return bytes.to_type(ScalarType.Float32).permute(0, 3, 1, 2).div(255f).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Converts to the wanted channel count and size; the input is disposed when replaced.</summary>
    public static Tensor Conform(Tensor images, int channels, int size)
    {
        var result = ToChannels(images, channels);
        if (result.shape[2] != size || result.shape[3] != size)
        {
            // Antialiased bilinear: averages when shrinking, interpolates when growing.
            var resized = nn.functional.interpolate(result, [size, size], mode: InterpolationMode.Bilinear,
                align_corners: false, antialias: true).clamp(0, 1);
            result.Dispose();
            result = resized;
        }
        return result;
    }

    private static Tensor ToChannels(Tensor images, int channels)
    {
        var have = images.shape[1];
        if (have == channels)
            return images;
        Tensor converted = (have, channels) switch
        {
            (1, 3) => images.expand(-1, 3, -1, -1).contiguous(),
            // ITU-R BT.601 luma, as most image libraries convert to grey.
            (3, 1) => (images * tensor(new[] { 0.299f, 0.587f, 0.114f }).view(1, 3, 1, 1)).sum(1, keepdim: true),
            _ => throw new ArgumentException($"cannot convert {have} channels to {channels}; channels must be 1 or 3"),
        };
        images.Dispose();
        return converted;
    }
}
