using System.Text;
using Exp.Catalog;
using Exp.Report.Html;
using Exp.Report.Model;
using Exp.Report.Reading;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;

namespace Exp.Report;

/// <summary>Report files: what `exp report` writes, and what `exp run` writes at the end of a sweep.</summary>
public static class Reports
{
    /// <summary>The artifact of a sweep's run that `exp run` writes its report to (the MLflow UI shows HTML artifacts).</summary>
    public const string SweepArtifact = "report.html";

    public static string Render(ReportTarget target, ReportHtmlOptions? options = null) =>
        ReportHtml.Render(ReportPageBuilder.Build(target.Read()), options ?? ReportHtmlOptions.File);

    /// <summary>Writes the page to <paramref name="path"/> (through a temporary file, so a reader never sees half a page); returns its size in bytes.</summary>
    public static long Write(ReportTarget target, string path)
    {
        var bytes = Encoding.UTF8.GetBytes(Render(target));
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, full, overwrite: true);
        return bytes.Length;
    }

    /// <summary>The report `exp run` writes as the artifact <see cref="SweepArtifact"/> of the sweep's run before ending it.</summary>
    public static SweepReport OfSweepRun { get; } = new(SweepArtifact, RenderSweep);

    /// <summary>
    /// A sweep's page as it reads once its run ended with <paramref name="status"/>: rendered while the run is still
    /// open, so it is sent with the run. Null when the catalog leaves the sweep's run out (a damaged file, warned of).
    /// </summary>
    private static byte[]? RenderSweep(string runsFolder, string sweepRunId, RunStatus status)
    {
        var catalog = new RunCatalog(new FileStore(runsFolder));
        if (catalog.Sweeps().FirstOrDefault(s => s.Run.RunId == sweepRunId) is not { } sweep)
        {
            return null;
        }
        var source = new ReportTarget.OfSweep(catalog, sweep).Read() with { Status = status };
        return Encoding.UTF8.GetBytes(ReportHtml.Render(ReportPageBuilder.Build(source), ReportHtmlOptions.File));
    }
}
