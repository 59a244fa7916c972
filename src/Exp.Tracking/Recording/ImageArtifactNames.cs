using System.Globalization;

namespace Exp.Tracking.Recording;

/// <summary>
/// The artifact names <c>mlflow.log_image</c> gives an image logged with a key and a step
/// (mlflow/tracking/client.py, read back by the UI's imagesByRunUuid reducer):
/// <c>images/&lt;key with '/' as '#'&gt;%step%&lt;step&gt;%timestamp%&lt;ms&gt;%&lt;uuid&gt;.png</c>
/// and the preview beside it, the same name with <c>%compressed.webp</c>.
/// The UI finds images by these names only.
/// </summary>
public static class ImageArtifactNames
{
    public const string Folder = "images";

    /// <summary>What the preview's name adds to the full image's name without its ".png".</summary>
    public const string PreviewSuffix = "%compressed.webp";

    public static (string Full, string Preview) For(string key, long step, long timestamp)
    {
        // MLflow starts the uuid with a letter from g-z, so it never reads as hex digits.
        var uuid = Guid.NewGuid().ToString();
        uuid = (char)('g' + Random.Shared.Next(20)) + uuid[1..];
        var stem = string.Create(
            CultureInfo.InvariantCulture,
            $"{Folder}/{key.Replace('/', '#')}%step%{step}%timestamp%{timestamp}%{uuid}");
        return ($"{stem}.png", stem + PreviewSuffix);
    }

    /// <summary>The key and step of a full image's artifact path; false for previews and other artifacts.</summary>
    public static bool TryParse(string artifactPath, out string key, out long step)
    {
        key = "";
        step = 0;
        var prefix = Folder + "/";
        if (!artifactPath.StartsWith(prefix, StringComparison.Ordinal) || !artifactPath.EndsWith(".png", StringComparison.Ordinal))
        {
            return false;
        }
        var parts = artifactPath[prefix.Length..^".png".Length].Split('%');
        if (parts is not [var name, "step", var stepText, "timestamp", _, _]
            || !long.TryParse(stepText, NumberStyles.Integer, CultureInfo.InvariantCulture, out step))
        {
            return false;
        }
        key = name.Replace('#', '/');
        return true;
    }
}
