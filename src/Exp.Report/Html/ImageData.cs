namespace Exp.Report.Html;

/// <summary>Images inlined as data URIs, so a report is one file that needs nothing else.</summary>
public static class ImageData
{
    public static string Uri(string path) =>
        "data:" + MediaType(path) + ";base64," + Convert.ToBase64String(File.ReadAllBytes(path));

    private static string MediaType(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".jpg" or ".jpeg" => "image/jpeg",
        ".webp" => "image/webp",
        _ => "image/png",
    };
}
