using Exp.Engine.Images;
using StbImageSharp;
using static TorchSharp.torch;

namespace Exp.Engine.Tests.Images;

public class ImageGridTests
{
    [Fact]
    public void Samples_make_a_square_grey_grid()
    {
        var png = ImageGrid.Samples(rand(16, 1, 28, 28));

        var image = ImageResult.FromMemory(png);
        Assert.Equal((4 * 30 + 2, 4 * 30 + 2), (image.Width, image.Height));
        Assert.Equal(ColorComponents.Grey, image.SourceComp);
    }

    [Fact]
    public void Pairs_put_each_input_beside_its_reconstruction()
    {
        var inputs = zeros(5, 3, 16, 16);
        var reconstructions = ones(5, 3, 16, 16);

        var image = ImageResult.FromMemory(ImageGrid.Pairs(inputs, reconstructions), ColorComponents.RedGreenBlue);

        // Three pairs to a row (ceil(sqrt(5))), two rows.
        Assert.Equal((6 * 18 + 2, 2 * 18 + 2), (image.Width, image.Height));
        Assert.Equal(0, Pixel(image, 2 + 8, 2 + 8));
        Assert.Equal(255, Pixel(image, 2 + 18 + 8, 2 + 8));
    }

    [Fact]
    public void Values_outside_0_1_are_clipped()
    {
        var image = ImageResult.FromMemory(ImageGrid.ToPng(full(1, 1, 4, 4, 7f), 1), ColorComponents.Grey);

        Assert.Equal(255, image.Data[2 * image.Width + 2]);
    }

    private static byte Pixel(ImageResult image, int x, int y) => image.Data[(y * image.Width + x) * 3];
}
