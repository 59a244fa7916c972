using Exp.Tracking.Recording;
using Exp.Tracking.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace Exp.Tracking.Tests.Recording;

public sealed class ImagePreviewTests
{
    [Theory]
    [InlineData(242, 120, 256, 126)] // wider: int(120 * 256 / 242) = 126, as MLflow's compress_image_size computes it
    [InlineData(60, 242, 63, 256)]   // taller
    [InlineData(100, 100, 256, 256)] // square; MLflow scales small images up too
    [InlineData(1000, 1, 256, 1)]    // never 0 pixels
    public void The_preview_is_a_webp_whose_longer_side_is_256_keeping_the_aspect_ratio(int width, int height, int previewWidth, int previewHeight)
    {
        var preview = ImagePreview.Of(TestImages.Png(width, height));

        Assert.Equal("RIFF"u8.ToArray(), preview[..4]);
        Assert.Equal("WEBP"u8.ToArray(), preview[8..12]);
        using var decoded = Image.Load<Rgb24>(preview, new WebpDecoder());
        Assert.Equal((previewWidth, previewHeight), (decoded.Width, decoded.Height));
    }

    [Fact]
    public void The_preview_shows_the_image()
    {
        using var decoded = Image.Load<Rgb24>(ImagePreview.Of(TestImages.Png(200, 100)), new WebpDecoder());

        // Lossy, yet the gradient is where it was: dark on the left, bright on the right.
        Assert.InRange(decoded[2, 64].R, 0, 30);
        Assert.InRange(decoded[253, 64].R, 225, 255);
        Assert.InRange(decoded[128, 64].B, 110, 146);
    }
}
