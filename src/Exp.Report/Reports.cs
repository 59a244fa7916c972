using System.Text;
using Exp.Report.Html;
using Exp.Report.Model;
using Exp.Report.Reading;
using Exp.Runner.Catalog;
using Exp.Tracking.LocalStore;

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

    /// <summary>Writes a sweep's report as the artifact <see cref="SweepArtifact"/> of its run; returns the file's path.</summary>
    public static string WriteSweepReport(string runsFolder, string sweepRunId)
    {
        var store = new FileStore(runsFolder);
        var catalog = new RunCatalog(store);
        var sweep = catalog.Sweeps().FirstOrDefault(s => s.Run.RunId == sweepRunId)
            ?? throw new ReportTargetNotFoundException($"no sweep run {sweepRunId} in {store.RootDirectory}");
        store.WriteArtifact(sweepRunId, SweepArtifact, Encoding.UTF8.GetBytes(Render(new ReportTarget.OfSweep(catalog, sweep))));
        return Path.Combine(store.ArtifactDirectory(sweepRunId), SweepArtifact);
    }
}
