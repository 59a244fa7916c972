using Exp.Catalog;
using Exp.Report.Html;
using Exp.Report.Model;
using Exp.Report.Reading;
using Exp.Runner.Catalog;
using Exp.Runner.Trials;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;

namespace Exp.Report.Tests.Reading;

/// <summary>A sweep's report with a damaged run says the run is missing, and why, instead of showing fewer trials as if that were all.</summary>
public sealed class DamagedRunReportTests : IDisposable
{
    private readonly string _runs = Directory.CreateTempSubdirectory("exp-damaged-report-").FullName;

    public void Dispose() => Directory.Delete(_runs, recursive: true);

    [Fact]
    public void A_trial_with_a_damaged_file_is_counted_and_named_on_the_page()
    {
        var store = new FileStore(_runs);
        var experiment = store.GetOrCreateExperiment("damaged");
        var sweep = store.CreateRun(experiment.ExperimentId, new RunStart("kl-sweep") { Tags = [new RunTag(TrialTags.SweepId, "s-1")] });
        var trials = Enumerable.Range(1, 3).Select(index => Trial(store, experiment.ExperimentId, sweep.RunId, index)).ToList();
        // Another sweep's damaged run is the command's warning, not this page's.
        var other = store.CreateRun(experiment.ExperimentId, new RunStart("other") { Tags = [new RunTag(TrialTags.SweepId, "s-2")] });
        var unrelated = Trial(store, experiment.ExperimentId, other.RunId, 4);
        var damaged = Path.Combine(store.RunDirectory(trials[1]), "metrics", "eval", "elbo");
        File.WriteAllText(damaged, "10 -250.5 1\n\u001b[31mgarbage\n");
        File.WriteAllText(Path.Combine(store.RunDirectory(unrelated), "metrics", "eval", "elbo"), "garbage\n");

        var target = ReportTargets.Resolve(_runs, "kl-sweep");
        var page = ReportPageBuilder.Build(target.Read());

        Assert.Equal(["trial-1", "trial-3"], page.Rows.Select(row => row.Name).Order());
        Assert.Equal("3 trials, 2 finished, 1 left out (a damaged file, see below)", page.Summary);
        var leftOut = Assert.Single(page.LeftOut);
        Assert.Equal($"{damaged}: line 2 '\\u001b[31mgarbage' is not 'timestamp value step'; that run is skipped (repair or remove the file)", leftOut);
        var html = ReportHtml.Render(page, ReportHtmlOptions.File);
        Assert.Contains($"<ul class=\"left-out\">\n<li>{System.Net.WebUtility.HtmlEncode(leftOut)}</li>\n</ul>", html, StringComparison.Ordinal);
        Assert.Equal(2, target.Catalog.Damage.Count);
    }

    private static string Trial(FileStore store, string experimentId, string sweepRunId, int index)
    {
        var run = store.CreateRun(experimentId, new RunStart($"trial-{index}")
        {
            ParentRunId = sweepRunId,
            Tags = [new RunTag(TrialTags.TrialId, $"t-{index}")],
        });
        store.LogParams(run.RunId, [new Param(TrialRecord.EpochsParam, "1")]);
        store.LogMetrics(run.RunId, [new Metric("eval/elbo", -250.0 + index, 10, 1)]);
        store.UpdateRun(run.RunId, RunStatus.Finished, 20);
        return run.RunId;
    }
}
