using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Exp.Catalog;
using Exp.Report.Model;
using Exp.Spec;
using Exp.Tracking.Model;
using static System.Net.WebUtility;

namespace Exp.Report.Html;

/// <summary>
/// Lays a <see cref="ReportPage"/> out as one self-contained HTML page: plotly.js, the styles,
/// the script and every image are inline, so the file opens anywhere without fetching anything.
/// The answer comes first (pictures across the sweep, then the trade-off), then the table,
/// the curves and the spec.
/// </summary>
public static class ReportHtml
{
    /// <summary>An empty inline icon: without it a browser asks the page's origin for /favicon.ico.</summary>
    public const string NoFavicon = "<link rel=\"icon\" href=\"data:,\">\n";

    public static string Render(ReportPage page, ReportHtmlOptions options)
    {
        var charts = new ReportCharts(page);
        var figures = new List<ChartFigure>();
        var html = new StringBuilder(4 << 20);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta name=\"generator\" content=\"exp report\">\n")
            .Append(NoFavicon)
            .Append("<title>").Append(HtmlEncode(page.Title)).Append(" · exp report</title>\n")
            .Append("<style>").Append(Resources.Css).Append("</style>\n")
            .Append("<script>").Append(PlotlyScript.Source).Append("</script>\n")
            .Append("</head>\n<body")
            .Append(options.ChangesUrl is { } changes && page.Live ? $" data-changes=\"{HtmlEncode(changes)}\"" : "")
            .Append(">\n");

        Header(html, page, options);
        JsonObject images;
        if (page.Search is { } search)
        {
            // Many trials that differ in several values: the table answers first, then how the values matter; the
            // pictures, a row per trial, come below and fold away.
            Table(html, page, charts);
            SearchSection(html, search, charts, figures);
            TradeOff(html, page, charts, figures);
            images = Pictures(html, page, charts, collapsible: true);
        }
        else
        {
            images = Pictures(html, page, charts, collapsible: false);
            TradeOff(html, page, charts, figures);
            Table(html, page, charts);
        }
        ProposalSection(html, page, charts);
        CurvesSection(html, page, charts, figures);
        Spec(html, page);

        var data = new JsonObject
        {
            ["figures"] = new JsonArray(figures.Select(f => (JsonNode)new JsonObject
            {
                ["id"] = f.Id,
                ["runs"] = new JsonArray(f.Runs.Select(r => (JsonNode?)r).ToArray()),
                ["lines"] = f.Lines is null ? null : new JsonArray(f.Lines.Select(r => (JsonNode?)r).ToArray()),
                ["figure"] = JsonNode.Parse(f.FigureJson),
            }).ToArray()),
            ["images"] = images,
            ["configs"] = new JsonObject(page.Configs.Select(c => KeyValuePair.Create(c.Key,
                (JsonNode?)new JsonObject(c.Value.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)))))),
        };
        // The default encoder escapes '<', so no "</script>" can end the data early.
        html.Append("<script type=\"application/json\" id=\"report-data\">").Append(data.ToJsonString(new JsonSerializerOptions())).Append("</script>\n")
            .Append("<script>").Append(Resources.Script).Append("</script>\n")
            .Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void Header(StringBuilder html, ReportPage page, ReportHtmlOptions options)
    {
        html.Append("<header>\n");
        if (options.HomeUrl is { } home)
        {
            html.Append($"<p class=\"home\"><a href=\"{HtmlEncode(home)}\">← all sweeps</a></p>\n");
        }
        html.Append("<h1>").Append(HtmlEncode(page.Title)).Append("</h1>\n")
            .Append("<p class=\"subtitle\">").Append(HtmlEncode(page.Subtitle)).Append("</p>\n");
        if (page.Description is { } description)
        {
            html.Append("<p class=\"description\">").Append(HtmlEncode(description)).Append("</p>\n");
        }
        html.Append("<p class=\"summary\">").Append(HtmlEncode(page.Summary));
        if (page.Configurations.FirstOrDefault(c => c.Cells.Count > 0 && page.Columns[0] == ReportMetrics.Ranking && c.Cells[0].Spread is { Mean: var mean } && !double.IsNaN(mean)) is { } bestConfiguration)
        {
            var spread = bestConfiguration.Cells[0].Spread!.Value;
            html.Append(" · best mean held-out ELBO: <strong>").Append(HtmlEncode(bestConfiguration.Name)).Append("</strong> (")
                .Append(HtmlEncode(spread.Format(NumberFormat.Value))).Append($" nats, n = {spread.Count})");
        }
        else if (page.Rows.FirstOrDefault(r => r.Completed && r.Cells.Count > 0 && page.Columns[0] == ReportMetrics.Ranking && r.Cells[0].Value is not null) is { } best)
        {
            html.Append(" · best held-out ELBO: <strong>").Append(HtmlEncode(best.Name)).Append("</strong> (")
                .Append(NumberFormat.Value(best.Cells[0].Value!.Value)).Append(" nats)");
        }
        if (page.Live)
        {
            html.Append(" · <span class=\"live\">running</span>");
        }
        html.Append("</p>\n");
        if (page.LeftOut.Count > 0)
        {
            html.Append("<ul class=\"left-out\">\n");
            foreach (var warning in page.LeftOut)
            {
                html.Append("<li>").Append(HtmlEncode(warning)).Append("</li>\n");
            }
            html.Append("</ul>\n");
        }
        html.Append("<nav>");
        var sections = new List<(string Id, string Title)>();
        if (page.Search is not null)
        {
            sections.Add(("trials", "trials"));
            sections.Add(("search", "parameters"));
        }
        if (page.Pictures.Count > 0 && page.Search is null)
        {
            sections.Add(("pictures", "pictures"));
        }
        if (page.TradeOff is not null || page.Effects.Count > 0)
        {
            sections.Add(("trade-off", "trade-off"));
        }
        if (page.Search is null)
        {
            sections.Add(("trials", "trials"));
        }
        else if (page.Pictures.Count > 0)
        {
            sections.Add(("pictures", "pictures"));
        }
        if (page.Proposals.Count > 0)
        {
            sections.Add(("proposals", "the notes' question"));
        }
        if (page.EpochCurves.Count > 0 || page.TrainingLoss is not null)
        {
            sections.Add(("curves", "curves"));
        }
        if (page.SpecText is not null)
        {
            sections.Add(("spec", "spec"));
        }
        html.AppendJoin(" · ", sections.Select(s => $"<a href=\"#{s.Id}\">{s.Title}</a>")).Append("</nav>\n</header>\n");
    }

    /// <summary>The pictures across the sweep, a row per trial; returns every epoch's pictures by run, for the epoch buttons.</summary>
    /// <param name="collapsible">Below the table of a search, in a fold the reader can close.</param>
    private static JsonObject Pictures(StringBuilder html, ReportPage page, ReportCharts charts, bool collapsible)
    {
        var images = new JsonObject();
        if (page.Pictures.Count == 0)
        {
            return images;
        }
        html.Append("<section id=\"pictures\">\n")
            .Append(collapsible ? "<details open><summary><h2>Samples and reconstructions, a row per trial</h2></summary>\n" : "<h2>Samples and reconstructions across the sweep</h2>\n")
            .Append("<p class=\"hint\">One row per trial, in the order of the swept values. Left: samples decoded from the prior, z ~ N(0, I); ")
            .Append(page.Pictures.FirstOrDefault(c => c.Epochs.Any(e => e.TemperedSamples is not null)) is { } tempered
                ? $"beside them, the same draws at std {HtmlEncode(tempered.SampleStd ?? "?")} (<code>eval.sample_std</code>, the notes' temperature), z ~ N(0, {HtmlEncode(tempered.SampleStd ?? "?")}²·I). "
                : "")
            .Append("Right: held-out images, each followed by its reconstruction. The last epoch is shown; the buttons show earlier ones.</p>\n")
            .Append("<div class=\"strip\">\n");
        foreach (var column in page.Pictures)
        {
            var last = column.Epochs.LastOrDefault();
            // Earlier epochs go to the data the buttons read; the last one is only in its elements, so no image is inlined twice.
            var byEpoch = new JsonObject();
            foreach (var epoch in column.Epochs.Where(e => e != last))
            {
                byEpoch[epoch.Epoch.ToString()] = new JsonObject
                {
                    [ImageKeys.Samples] = epoch.Samples is null ? null : ImageData.Uri(epoch.Samples.Path),
                    [ImageKeys.TemperedSamples] = epoch.TemperedSamples is null ? null : ImageData.Uri(epoch.TemperedSamples.Path),
                    [ImageKeys.Reconstructions] = epoch.Reconstructions is null ? null : ImageData.Uri(epoch.Reconstructions.Path),
                };
            }
            images[column.RunId] = byEpoch;
            html.Append($"<figure class=\"trial\" data-run=\"{HtmlEncode(column.RunId)}\" style=\"--trial-color: {charts.ColorOf(column.RunId)}\">\n")
                .Append("<figcaption>").Append(HtmlEncode(column.Name));
            if (column.Pruning is { } pruning)
            {
                // Its pictures are real, from the epoch it stopped at; the caption says it stopped there.
                html.Append("<small class=\"pruned\" title=\"").Append(HtmlEncode(pruning.Why)).Append("\">").Append(HtmlEncode(pruning.Status)).Append("</small>");
            }
            if (column.Epochs.Count > 1)
            {
                html.Append("<div class=\"epochs\">epoch ");
                foreach (var epoch in column.Epochs)
                {
                    html.Append($"<button type=\"button\" data-epoch=\"{epoch.Epoch}\"{(epoch == last ? " class=\"current\"" : "")}>{epoch.Epoch}</button>");
                }
                html.Append("</div>");
            }
            html.Append("</figcaption>\n");
            Picture(html, ImageKeys.Samples, last?.Samples, last);
            if (column.Epochs.Any(e => e.TemperedSamples is not null))
            {
                Picture(html, ImageKeys.TemperedSamples, last?.TemperedSamples, last);
            }
            Picture(html, ImageKeys.Reconstructions, last?.Reconstructions, last);
            if (column.KlPerDimension is { } kl)
            {
                html.Append($"<img class=\"extra\" alt=\"KL per latent dimension of {HtmlEncode(column.Name)}\" title=\"KL per latent dimension, epoch {column.KlPerDimensionEpoch}\" src=\"{ImageData.Uri(kl.Path)}\">\n");
            }
            if (column.ProposalComparison is { } proposal)
            {
                html.Append($"<img class=\"extra\" alt=\"proposal comparison of {HtmlEncode(column.Name)}\" title=\"q(z|x) against the prior as proposal\" src=\"{ImageData.Uri(proposal.Path)}\">\n");
            }
            html.Append("</figure>\n");
        }
        html.Append("</div>\n").Append(collapsible ? "</details>\n" : "").Append("</section>\n");
        return images;
    }

    private static void Picture(StringBuilder html, string key, LoggedImage? image, EpochPictures? last)
    {
        html.Append(image is null || last is null
            ? $"<div class=\"{key} missing\">no {key}</div>\n"
            : $"<img class=\"{key}\" data-epoch=\"{last.Epoch}\" alt=\"{key}, epoch {last.Epoch}\" title=\"{key}, epoch {last.Epoch}\" src=\"{ImageData.Uri(image.Path)}\">\n");
    }

    private static void TradeOff(StringBuilder html, ReportPage page, ReportCharts charts, List<ChartFigure> figures)
    {
        if (page.TradeOff is null && page.Effects.Count == 0)
        {
            return;
        }
        html.Append("<section id=\"trade-off\">\n<h2>The trade-off</h2>\n")
            .Append("<p class=\"hint\">Left: a trial that puts more information in its codes (more KL) reconstructs more sharply (lower error); ")
            .Append("one that puts less keeps its codes close to the prior, so samples from the prior look like data. Right: each swept value against the held-out ELBO.</p>\n");
        if ((page.TradeOff?.Points.Any(p => p.Pruning is not null) ?? false) || page.Effects.Any(e => e.Points.Any(p => p.Pruning is not null)))
        {
            html.Append("<p class=\"hint\">Hollow points: trials pruned early, at the epoch they stopped. Their values are from fewer epochs than the others', ")
                .Append("so the dotted line joins only the others.</p>\n");
        }
        if (page.Configurations.Count > 0)
        {
            html.Append("<p class=\"hint\">Each point is a configuration: the mean over its replicates that trained to their end, ")
                .Append("with bars of ± one standard deviation (n − 1); hover a point for n.</p>\n");
        }
        html
            .Append("<div class=\"charts\">\n");
        if (page.TradeOff is { } tradeOff)
        {
            Chart(html, figures, charts.TradeOff(tradeOff));
        }
        foreach (var (effect, index) in page.Effects.Select((e, i) => (e, i)))
        {
            Chart(html, figures, charts.Effect(effect, index));
        }
        html.Append("</div>\n</section>\n");
    }

    /// <summary>How the swept values matter: parallel coordinates whose brushing filters the page, their importance, and the search's history.</summary>
    private static void SearchSection(StringBuilder html, SearchView search, ReportCharts charts, List<ChartFigure> figures)
    {
        html.Append("<section id=\"search\">\n<h2>The parameters</h2>\n")
            .Append($"<p class=\"hint\">Each line is a trial, coloured by {HtmlEncode(search.Objective.Title)} (brightest is best). ")
            .Append("Drag along an axis to keep only the trials in that range: the table, the charts and the pictures follow; click the axis outside the range to clear it. ")
            .Append("Axes follow the sampling: a log-uniform parameter runs on a log scale, a choice on its categories.</p>\n")
            .Append("<div class=\"controls\"><span id=\"brushed\"></span></div>\n");
        if (search.Lines.Count > 0)
        {
            html.Append("<div class=\"wide\">\n");
            Chart(html, figures, charts.ParallelCoordinates(search));
            html.Append("</div>\n");
        }
        html.Append("<div class=\"charts\">\n");
        if (search.Importances.Count > 0)
        {
            Chart(html, figures, charts.Importance(search));
        }
        if (search.History.Count > 0)
        {
            Chart(html, figures, charts.History(search));
        }
        if (search.Rungs.Count > 0)
        {
            Chart(html, figures, charts.Rungs(search));
        }
        html.Append("</div>\n");
        if (search.Importances.Count > 0)
        {
            html.Append($"<p class=\"hint\">Importance by PED-ANOVA (Watanabe et al. 2023, as in Optuna's dashboard): how differently a parameter's values are spread among the best {ParameterImportance.TopQuantile:P0} ")
                .Append($"of the trials trained to their end (at least {ParameterImportance.MinTopTrials}) than among all of them, each parameter's divergence as a share of their sum. ")
                .Append("With few trials it is a hint, not a measurement.</p>\n");
        }
        html.Append("</section>\n");
    }

    /// <summary>A sweep with replicates: one row per configuration, mean ± sd over its finished replicates, best mean first.</summary>
    private static void ConfigurationTable(StringBuilder html, ReportPage page, ReportCharts charts)
    {
        html.Append("<h3>Configurations</h3>\n<p class=\"hint\">Each configuration ran with several seeds. Its values are the mean ± the standard deviation (n − 1) ")
            .Append("over its replicates that trained to their end (n); configurations rank by the mean held-out ELBO, and ★ marks the best mean of each metric.</p>\n")
            .Append("<div class=\"table-wrap\"><table id=\"configuration-table\">\n<thead><tr><th>#</th><th>configuration</th><th>n</th>");
        foreach (var parameter in page.Swept)
        {
            html.Append($"<th title=\"{HtmlEncode(parameter.Key)}\">{HtmlEncode(parameter.Title)}</th>");
        }
        foreach (var metric in page.Columns)
        {
            html.Append($"<th title=\"{HtmlEncode(metric.Key + ": " + metric.Meaning)}\">{HtmlEncode(metric.Title)}")
                .Append(metric.Unit.Length > 0 ? $"<small>{HtmlEncode(metric.Unit)}</small>" : "").Append("</th>");
        }
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in page.Configurations)
        {
            html.Append($"<tr data-runs=\"{HtmlEncode(string.Join(" ", row.RunIds))}\"><td>{row.Rank}</td>")
                .Append($"<td><span class=\"swatch\" style=\"background: {charts.ColorOf(row.RunIds[0])}\"></span>{HtmlEncode(row.Name)}</td>")
                .Append($"<td>{(row.Finished == row.RunIds.Count ? $"{row.Finished}" : $"{row.Finished} of {row.RunIds.Count}")}</td>");
            foreach (var value in row.SweptValues)
            {
                html.Append($"<td>{HtmlEncode(value)}</td>");
            }
            foreach (var cell in row.Cells)
            {
                html.Append(cell.Spread is { } spread
                    ? $"<td title=\"n = {spread.Count}\"{(cell.Best ? " class=\"best\"" : "")}>{HtmlEncode(spread.Format(NumberFormat.Value))}{(cell.Best ? " ★" : "")}</td>"
                    : "<td class=\"none\">–</td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table></div>\n<h3>Replicates</h3>\n");
    }

    private static void Table(StringBuilder html, ReportPage page, ReportCharts charts)
    {
        html.Append("<section id=\"trials\">\n<h2>Trials</h2>\n");
        if (page.Configurations.Count > 0)
        {
            ConfigurationTable(html, page, charts);
        }
        html
            .Append("<p class=\"hint\">Trials trained to the end by held-out ELBO, best first; ★ marks the best value of each metric among them. ")
            .Append(page.Rows.Any(r => r.Pruning is not null) ? "Trials pruned early follow, furthest first (hover the status for why): their values are from fewer epochs, so they are never ★. " : "")
            .Append(page.Columns.Any(c => c == ReportMetrics.BitsPerDim || c == ReportMetrics.TestBitsPerDim)
                ? "bits/dim is the code length of the 8-bit images under the discretised decoder, always positive: a uniform guess over the 256 levels is 8, and a model above 8 codes worse than that. "
                : "")
            .Append("Click a heading to sort; tick trials in the first column to compare them side by side. The filter also limits the charts and the pictures to the matching trials. ")
            .Append("Filter by words, or compare a column to a number: <code>kl_weight&gt;=3</code>, <code>elbo&gt;-300</code> (=, !=, &lt;, &lt;=, &gt;, &gt;=).</p>\n")
            .Append("<div class=\"controls\"><input type=\"search\" id=\"filter\" placeholder=\"filter trials: name, value, status, kl_weight>=3\" aria-label=\"filter trials\">")
            .Append(" <button type=\"button\" id=\"compare-button\" disabled title=\"tick two trials or more in the first column\">compare selected</button>")
            .Append(" <span id=\"shown\"></span> <span class=\"pager\"><button type=\"button\" id=\"prev\">‹ previous</button> <span id=\"page\"></span> <button type=\"button\" id=\"next\">next ›</button></span></div>\n")
            .Append($"<div class=\"table-wrap\"><table id=\"trial-table\"{(page.Search is null ? "" : " class=\"search-table\"")}>\n<thead><tr><th data-type=\"number\">#</th><th>trial</th><th>status</th>");
        // data-key and data-name: what a filter such as `kl_weight>=3` names the column by.
        foreach (var parameter in page.Swept)
        {
            html.Append($"<th data-type=\"value\" data-key=\"{HtmlEncode(parameter.Key)}\" data-name=\"{HtmlEncode(parameter.Title)}\" title=\"{HtmlEncode(parameter.Key)}\">{HtmlEncode(parameter.Title)}</th>");
        }
        foreach (var metric in page.Columns)
        {
            var goal = metric.GoalText is { } text ? $" ({text})" : "";
            html.Append($"<th data-type=\"number\" data-key=\"{HtmlEncode(metric.Key)}\" data-name=\"{HtmlEncode(metric.Title)}\" title=\"{HtmlEncode(metric.Key + ": " + metric.Meaning + goal)}\">{HtmlEncode(metric.Title)}")
                .Append(metric.Unit.Length > 0 ? $"<small>{HtmlEncode(metric.Unit)}</small>" : "").Append("</th>");
        }
        html.Append("<th data-type=\"number\">time</th></tr></thead>\n<tbody>\n");
        foreach (var row in page.Rows)
        {
            html.Append($"<tr data-run=\"{HtmlEncode(row.RunId)}\" data-name=\"{HtmlEncode(row.Name)}\" class=\"{(row.Pruning is null ? row.Status.ToString().ToLowerInvariant() : "pruned")}\">")
                .Append($"<td data-v=\"{row.Rank}\"><input type=\"checkbox\" class=\"pick\" aria-label=\"select {HtmlEncode(row.Name)} to compare\"> {row.Rank}</td>")
                .Append(page.Search is null
                    ? $"<td><span class=\"swatch\" style=\"background: {charts.ColorOf(row.RunId)}\"></span>{HtmlEncode(row.Name)}<small title=\"trial id; run {HtmlEncode(row.RunId)}\">{HtmlEncode(row.TrialId)}</small></td>"
                    // A search's trial name only repeats the swept values, which have their columns: the id names the trial, the name is on hover.
                    // Its first 8 characters, which `exp show` takes as well.
                    : $"<td title=\"{HtmlEncode(row.Name)}; trial {HtmlEncode(row.TrialId)}; run {HtmlEncode(row.RunId)}\"><span class=\"swatch\" style=\"background: {charts.ColorOf(row.RunId)}\"></span>{HtmlEncode(row.TrialId[..Math.Min(8, row.TrialId.Length)])}</td>")
                .Append("<td>");
            // Why it was pruned on hover: routine for a scheduler, and its row would grow as tall as a failed one's.
            html.Append(row.Pruning is { } pruning
                ? $"<span class=\"pruned\" title=\"{HtmlEncode(pruning.Why)}\">{HtmlEncode(row.StatusText)}</span>"
                : HtmlEncode(row.StatusText));
            if (row.Failure is { } failure)
            {
                html.Append("<div class=\"reason\">").Append(HtmlEncode(failure)).Append("</div>");
            }
            html.Append("</td>");
            foreach (var value in row.SweptValues)
            {
                // A sampled value (0.0012345678) reads at four significant digits; the cell keeps it in full for sorting, filtering and on hover.
                html.Append(SweptValueOrder.AsNumber(value) is { } number
                    ? $"<td data-v=\"{HtmlEncode(value)}\" title=\"{HtmlEncode(value)}\">{NumberFormat.Significant(number)}</td>"
                    : $"<td data-v=\"{HtmlEncode(value)}\">{HtmlEncode(value)}</td>");
            }
            foreach (var cell in row.Cells)
            {
                html.Append(cell.Value is { } v
                    ? $"<td data-v=\"{NumberFormat.Exact(v)}\" title=\"{NumberFormat.Exact(v)}\"{(cell.Best ? " class=\"best\"" : "")}>{NumberFormat.Significant(v)}{(cell.Best ? " ★" : "")}</td>"
                    : "<td data-v=\"\" class=\"none\">–</td>");
            }
            html.Append(row.Duration is { } duration
                ? $"<td data-v=\"{duration.TotalSeconds:0}\">{NumberFormat.Duration(duration)}</td>"
                : "<td data-v=\"\"></td>");
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table></div>\n<div id=\"compare\" hidden></div>\n</section>\n");
    }

    private static void CurvesSection(StringBuilder html, ReportPage page, ReportCharts charts, List<ChartFigure> figures)
    {
        var all = page.EpochCurves.Select((c, i) => (Curves: c, Id: $"curve-{i}")).ToList();
        if (page.TrainingLoss is { } loss)
        {
            all.Add((loss, "curve-loss"));
        }
        if (all.Count == 0)
        {
            return;
        }
        html.Append("<section id=\"curves\">\n<h2>Curves</h2>\n")
            .Append($"<p class=\"hint\">Held-out metrics per epoch and the training loss per step, every trial overlaid. Click a legend entry to hide or show a trial")
            .Append(page.Rows.Count > ReportCharts.VisibleCurves + 2 ? $"; the {ReportCharts.VisibleCurves} best trials start shown, the others are in the legend" : "")
            .Append(".</p>\n<div class=\"charts\">\n");
        foreach (var (curves, id) in all)
        {
            Chart(html, figures, charts.Curves(curves, id));
        }
        html.Append("</div>\n</section>\n");
    }

    /// <summary>The notes' question, answered per trial at the largest k: each estimator's MSE against its own target, ± one standard error over the images.</summary>
    private static void ProposalSection(StringBuilder html, ReportPage page, ReportCharts charts)
    {
        if (page.Proposals.Count == 0)
        {
            return;
        }
        html.Append("<section id=\"proposals\">\n<h2>The notes' question: sampling the prior or the posterior</h2>\n")
            .Append("<p class=\"hint\">Mean squared error of each estimator against its own target at the largest n, per image over the repeats, then averaged over the images ")
            .Append("(± one standard error over the images). K<sub>l</sub> = log (1/n) Σ p(x|z<sub>i</sub>), z<sub>i</sub> ~ p(z), and the IWAE estimate with z<sub>i</sub> ~ q(z|x) both target log p(x) ")
            .Append("(its target: the IWAE of the other repeats' samples of q pooled). K<sub>r</sub> = (1/n) Σ log p(x|z<sub>i</sub>), z<sub>i</sub> ~ q(z|x), targets E<sub>q</sub>[log p(x|z)], a different number: the last column is how far. ")
            .Append("The figure per trial (MSE and bias against n) is in the pictures above.</p>\n")
            .Append("<div class=\"table-wrap\"><table>\n<thead><tr><th>trial</th><th>n</th><th>MSE of K<sub>l</sub> (prior)<small>nats²</small></th><th>MSE of IWAE (q)<small>nats²</small></th>")
            .Append("<th>MSE of K<sub>r</sub><small>nats²</small></th><th>E<sub>q</sub>[log p(x|z)] − log p(x)<small>nats</small></th><th>answer</th></tr></thead>\n<tbody>\n");
        string Cell(MeanError error) => $"<td title=\"{NumberFormat.Exact(error.Value)} ± {NumberFormat.Exact(error.StandardError)}\">{NumberFormat.Value(error.Value)} ± {NumberFormat.Value(error.StandardError)}</td>";
        foreach (var answer in page.Proposals)
        {
            var ratio = answer.Prior.Value / Math.Max(answer.Q.Value, double.Epsilon);
            html.Append($"<tr data-run=\"{HtmlEncode(answer.RunId)}\"><td><span class=\"swatch\" style=\"background: {charts.ColorOf(answer.RunId)}\"></span>{HtmlEncode(answer.Name)}</td>")
                .Append($"<td>{answer.K}</td>").Append(Cell(answer.Prior)).Append(Cell(answer.Q)).Append(Cell(answer.Recon))
                .Append($"<td>{NumberFormat.Value(answer.ReconGap)}</td>")
                .Append("<td>").Append(HtmlEncode(ProposalVerdict(answer, ratio))).Append("</td></tr>\n");
        }
        html.Append("</tbody>\n</table></div>\n</section>\n");
    }

    /// <summary>The answer in words: which proposal estimates log p(x) better, and whether the gap is beyond the standard errors.</summary>
    public static string ProposalVerdict(ProposalAnswer answer, double ratio)
    {
        var clear = Math.Abs(answer.Prior.Value - answer.Q.Value) > 2 * Math.Sqrt(answer.Prior.StandardError * answer.Prior.StandardError + answer.Q.StandardError * answer.Q.StandardError);
        static string Times(double factor) => factor.ToString(factor >= 10 ? "N0" : "0.0", System.Globalization.CultureInfo.InvariantCulture);
        var which = answer.Q.Value < answer.Prior.Value
            ? $"q: {Times(ratio)}× smaller MSE than the prior"
            : $"the prior: {Times(1 / ratio)}× smaller MSE than q";
        return clear ? which : $"no clear difference ({which})";
    }

    private static void Chart(StringBuilder html, List<ChartFigure> figures, ChartFigure figure)
    {
        figures.Add(figure);
        html.Append("<figure class=\"chart\"><figcaption>").Append(HtmlEncode(figure.Title)).Append("</figcaption>")
            .Append($"<div class=\"chart-plot\" id=\"{figure.Id}\"></div></figure>\n");
    }

    private static void Spec(StringBuilder html, ReportPage page)
    {
        if (page.SpecText is null)
        {
            return;
        }
        html.Append("<section id=\"spec\">\n<h2>Spec</h2>\n<details open><summary>the spec this sweep ran</summary><pre>")
            .Append(HtmlEncode(page.SpecText)).Append("</pre></details>\n</section>\n");
    }
}
