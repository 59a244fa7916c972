using StbImageWriteSharp;
using static TorchSharp.torch;

namespace Exp.Engine.Images;

/// <summary>Lays images out in a grid and encodes it as PNG (what torchvision's make_grid and save_image do).</summary>
public static class ImageGrid
{
    public const int Padding = 2;

    /// <summary>Images (N, C, H, W) with values in [0, 1], in rows of <paramref name="columns"/>, white between them.</summary>
    public static byte[] ToPng(Tensor images, int columns)
    {
        using var scope = NewDisposeScope();
        var (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3]);
        var rows = (n + columns - 1) / columns;
        var height = rows * (h + Padding) + Padding;
        var width = columns * (w + Padding) + Padding;

        var grid = ones(c, height, width);
        var source = images.detach().to(CPU).clamp(0, 1);
        for (long i = 0; i < n; i++)
        {
            var (top, left) = (Padding + i / columns * (h + Padding), Padding + i % columns * (w + Padding));
            grid.narrow(1, top, h).narrow(2, left, w).copy_(source[i]);
        }

        var pixels = (grid * 255).round().to_type(ScalarType.Byte).permute(1, 2, 0).contiguous();
        var bytes = new byte[pixels.numel()];
        pixels.bytes.CopyTo(bytes);
        using var png = new MemoryStream();
        new ImageWriter().WritePng(bytes, (int)width, (int)height, c == 1 ? ColorComponents.Grey : ColorComponents.RedGreenBlue, png);
        return png.ToArray();
    }

    /// <summary>A square-ish grid of images.</summary>
    public static byte[] Samples(Tensor images) => ToPng(images, Columns(images.shape[0]));

    /// <summary>Each input followed by its reconstruction, in a square-ish grid of pairs.</summary>
    public static byte[] Pairs(Tensor inputs, Tensor reconstructions)
    {
        using var scope = NewDisposeScope();
        var interleaved = stack([inputs, reconstructions], 1).flatten(0, 1);
        return ToPng(interleaved, 2 * Columns(inputs.shape[0]));
    }

    private static int Columns(long count) => Math.Max(1, (int)Math.Ceiling(Math.Sqrt(count)));
}
