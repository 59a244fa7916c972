using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Exp.Tracking.Tests.Support;

/// <summary>Real PNG images for tests that log images: a gradient, so a resize has something to keep.</summary>
public static class TestImages
{
    public static byte[] Png(int width, int height)
    {
        using var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                image[x, y] = new Rgb24((byte)(255 * x / width), (byte)(255 * y / height), 128);
            }
        }
        using var png = new MemoryStream();
        image.SaveAsPng(png);
        return png.ToArray();
    }
}
