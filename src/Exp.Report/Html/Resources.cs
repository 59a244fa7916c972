namespace Exp.Report.Html;

/// <summary>The page's own stylesheet and script, embedded in this assembly.</summary>
internal static class Resources
{
    public static readonly string Css = Read("report.css");
    public static readonly string Script = Read("report.js");

    private static string Read(string name)
    {
        using var stream = typeof(Resources).Assembly.GetManifestResourceStream($"Exp.Report.Html.{name}")
            ?? throw new InvalidOperationException($"resource {name} is missing from Exp.Report");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
