using Exp.Tracking.Recording;

namespace Exp.Tracking.Tests.Recording;

public sealed class ImageArtifactNamesTests
{
    [Theory]
    [InlineData("samples", 3)]
    [InlineData("eval/kl_per_dimension", 12)]
    public void A_logged_image_name_reads_back_as_its_key_and_step(string key, long step)
    {
        var (full, preview) = ImageArtifactNames.For(key, step, 1_764_000_000_000);

        Assert.True(ImageArtifactNames.TryParse(full, out var readKey, out var readStep));
        Assert.Equal((key, step), (readKey, readStep));
        Assert.False(ImageArtifactNames.TryParse(preview, out _, out _));
    }

    [Theory]
    [InlineData("config.json")]
    [InlineData("images/samples.png")]
    [InlineData("images/samples%step%x%timestamp%1%gabc.png")]
    [InlineData("logs/samples%step%1%timestamp%1%gabc.png")]
    public void Other_artifacts_are_not_taken_for_logged_images(string path) =>
        Assert.False(ImageArtifactNames.TryParse(path, out _, out _));
}
