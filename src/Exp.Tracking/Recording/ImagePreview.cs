using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Exp.Tracking.Recording;

/// <summary>
/// The preview <c>mlflow.log_image</c> writes next to each image (mlflow/tracking/multimedia.py,
/// compress_image_size): scaled so its longer side is 256 pixels and the other keeps the
/// aspect ratio (rounded down), with Pillow's default bicubic filter, saved as lossy WebP at
/// Pillow's default quality 80. MLflow serves it as image/webp with nosniff, so it must be WebP.
/// </summary>
public static class ImagePreview
{
    public const int Size = 256;

    private static readonly WebpEncoder Encoder = new() { FileFormat = WebpFileFormatType.Lossy, Quality = 80 };

    /// <summary>The WebP preview of a PNG image that this process made (only our own images are decoded).</summary>
    public static byte[] Of(byte[] png)
    {
        using var image = Image.Load<Rgb24>(png, new PngDecoder());
        var (width, height) = FitWithin(image.Width, image.Height);
        image.Mutate(resize => resize.Resize(width, height, KnownResamplers.Bicubic));
        using var webp = new MemoryStream();
        image.Save(webp, Encoder);
        return webp.ToArray();
    }

    /// <summary>MLflow's rule: the longer side becomes <see cref="Size"/>, the other int(side * scale).</summary>
    public static (int Width, int Height) FitWithin(int width, int height) =>
        width > height
            ? (Size, Math.Max(1, (int)(height * ((double)Size / width))))
            : (Math.Max(1, (int)(width * ((double)Size / height))), Size);
}
