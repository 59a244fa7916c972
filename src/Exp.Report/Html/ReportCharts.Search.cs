using System.Text.Json.Nodes;
using Exp.Report.Model;

namespace Exp.Report.Html;

/// <summary>
/// The charts of a multi-parameter search. Their figures are written as plotly.js's own JSON: Plotly.NET's typed builders
/// for parallel coordinates and horizontal bars would need every optional argument spelled out from C#, for the same JSON.
/// </summary>
public sealed partial class ReportCharts
{
    public ChartFigure ParallelCoordinates(SearchView search)
    {
        var dimensions = new JsonArray(search.Axes.Select(axis =>
        {
            var dimension = new JsonObject
            {
                ["label"] = axis.Scale == AxisScale.Log ? axis.Title + " (log)" : axis.Title,
                ["values"] = Numbers(axis.Values),
                ["range"] = Numbers([axis.Range.Low, axis.Range.High]),
            };
            if (axis.TickValues.Count > 0)
            {
                dimension["tickvals"] = Numbers(axis.TickValues);
                dimension["ticktext"] = new JsonArray(axis.TickTexts.Select(t => (JsonNode?)t).ToArray());
            }
            return (JsonNode)dimension;
        }).ToArray());
        var objective = search.Axes[^1].Values;
        var figure = new JsonObject
        {
            ["data"] = new JsonArray(new JsonObject
            {
                ["type"] = "parcoords",
                ["labelangle"] = 0,
                ["line"] = new JsonObject
                {
                    ["color"] = Numbers(objective),
                    ["colorscale"] = "Viridis",
                    // The best trials are the brightest lines, whichever way the metric improves.
                    ["reversescale"] = !search.Maximize,
                    ["showscale"] = false,
                },
                ["dimensions"] = dimensions,
            }),
            ["layout"] = new JsonObject { ["margin"] = new JsonObject { ["l"] = 60, ["r"] = 60, ["t"] = 50, ["b"] = 25 } },
        };
        return Figure("parallel", $"Every swept parameter and {search.Objective.Title}, one line per trial; drag along an axis to keep the trials in that range", figure.ToJsonString(), [null]) with
        {
            Lines = search.Lines,
        };
    }

    public ChartFigure Importance(SearchView search)
    {
        // Plotly draws the first bar at the bottom: the most important parameter goes last, to be read first.
        var bars = search.Importances.Reverse().ToList();
        var figure = new JsonObject
        {
            ["data"] = new JsonArray(new JsonObject
            {
                ["type"] = "bar",
                ["orientation"] = "h",
                ["x"] = Numbers(bars.Select(b => b.Value).ToList()),
                ["y"] = new JsonArray(bars.Select(b => (JsonNode?)b.Parameter.Title).ToArray()),
                ["text"] = new JsonArray(bars.Select(b => (JsonNode?)$"{b.Value:P0}").ToArray()),
                ["textposition"] = "auto",
                ["hovertext"] = new JsonArray(bars.Select(b => (JsonNode?)b.Parameter.Key).ToArray()),
                ["marker"] = new JsonObject { ["color"] = "#2f6fdd" },
                ["name"] = "importance",
            }),
            ["layout"] = new JsonObject
            {
                ["xaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = "share of the importance" }, ["range"] = Numbers([0, 1]), ["tickformat"] = ".0%" },
                ["yaxis"] = new JsonObject { ["automargin"] = true },
                ["margin"] = new JsonObject { ["l"] = 110, ["r"] = 20, ["t"] = 20, ["b"] = 55 },
            },
        };
        return Figure("importance", $"Parameter importance for {search.Objective.Title} (PED-ANOVA)", figure.ToJsonString(), [null]);
    }

    public ChartFigure History(SearchView search)
    {
        var traces = search.History.Select(point => (Trace: (JsonNode)new JsonObject
        {
            ["type"] = "scatter",
            ["mode"] = "markers",
            ["name"] = point.Name,
            ["x"] = Numbers([point.Number]),
            ["y"] = Numbers([point.Value]),
            ["text"] = new JsonArray((JsonNode?)(point.Pruning?.Status ?? "")),
            ["marker"] = Marker(point.RunId, point.Pruning is not null),
            ["showlegend"] = false,
        }, Run: (string?)point.RunId)).ToList();
        var best = search.History.Where(p => p.BestSoFar is not null).ToList();
        traces.Add((new JsonObject
        {
            ["type"] = "scatter",
            ["mode"] = "lines",
            ["name"] = "best so far",
            ["x"] = Numbers(best.Select(p => (double)p.Number).ToList()),
            ["y"] = Numbers(best.Select(p => p.BestSoFar!.Value).ToList()),
            ["line"] = new JsonObject { ["shape"] = "hv", ["color"] = "#616e7c", ["dash"] = "dot" },
        }, null));
        var figure = new JsonObject
        {
            ["data"] = new JsonArray(traces.Select(t => t.Trace).ToArray()),
            ["layout"] = new JsonObject
            {
                ["xaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = "trial, in the order it started" }, ["tick0"] = 1, ["dtick"] = IntegerStep(search.History.Count) },
                ["yaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = Goal(search) } },
                ["legend"] = new JsonObject { ["x"] = 1, ["xanchor"] = "right", ["y"] = 0 },
            },
        };
        return Figure("history", $"Optimization history: {search.Objective.Title} per trial, and the best so far among trials trained to their end", figure.ToJsonString(), traces.Select(t => t.Run).ToList());
    }

    public ChartFigure Rungs(SearchView search)
    {
        var traces = search.Rungs.Select(path => (JsonNode)new JsonObject
        {
            ["type"] = "scatter",
            ["mode"] = "lines+markers",
            ["name"] = path.Name,
            ["x"] = Numbers(path.Epochs),
            ["y"] = Numbers(path.Values),
            ["text"] = new JsonArray(path.Epochs.Select((_, i) => (JsonNode?)(i == path.Epochs.Count - 1 && path.Pruning is { } pruning ? pruning.Status : "")).ToArray()),
            ["line"] = new JsonObject { ["color"] = ColorOf(path.RunId) },
            ["marker"] = Marker(path.RunId, path.Pruning is not null),
        }).ToArray();
        var figure = new JsonObject
        {
            ["data"] = new JsonArray(traces),
            ["layout"] = new JsonObject
            {
                ["xaxis"] = new JsonObject
                {
                    ["title"] = new JsonObject { ["text"] = "rung (epochs trained)" },
                    ["type"] = "log",
                    ["tickvals"] = Numbers(search.RungEpochs.Select(e => (double)e).ToList()),
                },
                ["yaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = Goal(search) } },
                ["showlegend"] = false,
            },
        };
        return Figure("rungs", $"ASHA rungs: {search.Objective.Title} of each trial at each rung it reached; a hollow end was pruned there", figure.ToJsonString(),
            search.Rungs.Select(p => (string?)p.RunId).ToList());
    }

    private JsonObject Marker(string runId, bool pruned) =>
        new() { ["color"] = ColorOf(runId), ["size"] = 9, ["symbol"] = pruned ? "circle-open" : "circle" };

    private static string Goal(SearchView search) =>
        $"{search.Objective.Title}{(search.Objective.Unit.Length > 0 ? $" ({search.Objective.Unit})" : "")}, {(search.Maximize ? "higher" : "lower")} is better";

    /// <summary>A tick per whole step, at most about ten of them: a count of trials or epochs has no halves.</summary>
    public static double IntegerStep(double largest) => Math.Max(1, Math.Ceiling(largest / 10));

    private static JsonArray Numbers(IReadOnlyList<double> values) => new(values.Select(v => (JsonNode?)v).ToArray());
}
