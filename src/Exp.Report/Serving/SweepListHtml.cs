using System.Text;
using Exp.Catalog;
using Exp.Report.Html;
using Exp.Report.Model;
using Exp.Tracking.Model;
using static System.Net.WebUtility;

namespace Exp.Report.Serving;

/// <summary>The first page of `exp ui`: every sweep of the store (newest first), then its experiments and the runs outside sweeps.</summary>
public static class SweepListHtml
{
    public static string Render(RunCatalog catalog, bool live)
    {
        var sweeps = catalog.Sweeps().OrderByDescending(s => s.Run.StartTime).ToList();
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append(ReportHtml.NoFavicon)
            .Append("<title>exp ui · ").Append(HtmlEncode(catalog.Store.RootDirectory)).Append("</title>\n")
            .Append("<style>").Append(Resources.Css).Append("</style>\n</head>\n<body")
            .Append(live ? " data-changes=\"/changes\"" : "").Append(">\n<header><h1>Sweeps</h1>\n<p class=\"subtitle\">")
            .Append(HtmlEncode(catalog.Store.RootDirectory)).Append(live ? " · <span class=\"live\">a sweep is running</span>" : "").Append("</p></header>\n");

        html.Append("<section id=\"sweeps\">\n");
        if (sweeps.Count == 0)
        {
            html.Append("<p>No sweeps here yet: <code>exp run &lt;spec&gt;</code> makes one.</p>\n");
        }
        else
        {
            html.Append("<table id=\"sweep-table\"><thead><tr><th>sweep</th><th>experiment</th><th>status</th><th>trials</th><th>best held-out ELBO</th><th>started</th></tr></thead><tbody>\n");
            foreach (var sweep in sweeps)
            {
                var best = sweep.Trials.Where(t => t.Completed && t.Metrics.ContainsKey(ReportMetrics.Ranking.Key))
                    .MaxBy(t => t.Metrics[ReportMetrics.Ranking.Key]);
                html.Append($"<tr class=\"{sweep.Run.Status.ToString().ToLowerInvariant()}\"><td><a href=\"/sweeps/{sweep.Run.RunId}\">{HtmlEncode(sweep.Run.RunName)}</a></td>")
                    .Append($"<td><a href=\"/experiments/{sweep.Experiment.ExperimentId}\">{HtmlEncode(sweep.Experiment.Name)}</a></td>")
                    .Append($"<td>{sweep.Run.Status.ToString().ToLowerInvariant()}</td>")
                    .Append($"<td>{Counts(sweep.Trials)}</td>")
                    .Append($"<td>{(best is null ? "" : $"{NumberFormat.Value(best.Metrics[ReportMetrics.Ranking.Key])} ({HtmlEncode(best.Name)})")}</td>")
                    .Append($"<td>{DateTimeOffset.FromUnixTimeMilliseconds(sweep.Run.StartTime).ToLocalTime():yyyy-MM-dd HH:mm}</td></tr>\n");
            }
            html.Append("</tbody></table>\n");
        }
        html.Append("</section>\n");

        var standalone = catalog.Standalone();
        if (standalone.Count > 0)
        {
            html.Append("<section id=\"standalone\"><h2>Runs outside a sweep</h2><ul>\n");
            foreach (var (experiment, trial) in standalone.OrderByDescending(s => s.Trial.Run.StartTime))
            {
                html.Append($"<li><a href=\"/trials/{trial.Run.RunId}\">{HtmlEncode(trial.Name)}</a> in {HtmlEncode(experiment)}, {trial.Run.Status.ToString().ToLowerInvariant()}</li>\n");
            }
            html.Append("</ul></section>\n");
        }
        html.Append("<script>").Append(LiveScript).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string Counts(IReadOnlyList<TrialRecord> trials)
    {
        var parts = new List<string> { trials.Count.ToString() };
        // A pruned trial's run says FINISHED (or RUNNING, left so by a crash): it counts as pruned only.
        foreach (var (which, word) in new (Func<TrialRecord, bool>, string)[]
        {
            (t => t.Pruning is not null, "pruned"),
            (t => t.Pruning is null && t.Run.Status == RunStatus.Running, "running"),
            (t => t.Pruning is null && t.Run.Status == RunStatus.Failed, "failed"),
            (t => t.Pruning is null && t.Run.Status == RunStatus.Killed, "stopped"),
        })
        {
            var n = trials.Count(which);
            if (n > 0)
            {
                parts.Add($"{n} {word}");
            }
        }
        return string.Join(", ", parts);
    }

    /// <summary>The same reload-on-change loop the report pages run when served.</summary>
    private const string LiveScript = """
        (function () {
          var changes = document.body.dataset.changes, seen = null;
          if (!changes) { return; }
          setInterval(function () {
            fetch(changes, { cache: "no-store" }).then(function (r) { return r.text(); }).then(function (stamp) {
              if (seen !== null && stamp !== seen) { location.reload(); }
              seen = stamp;
            }).catch(function () {});
          }, 5000);
        })();
        """;
}
