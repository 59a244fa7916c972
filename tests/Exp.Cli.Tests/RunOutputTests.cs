using System.Globalization;
using System.Text.Json;
using Exp.Cli.Tests.Support;
using Exp.Spec;
using Exp.Testing;

namespace Exp.Cli.Tests;

/// <summary>`exp run` for scripts: results alone on stdout, progress on stderr; the summary as JSON and CSV; Hydra's key=a,b sweeps.</summary>
public sealed class RunOutputTests : IDisposable
{
    private readonly Workspace workspace = new();

    [Fact]
    public async Task Stdout_holds_only_the_results_and_the_summary_parses_as_json_and_csv_with_the_stores_values()
    {
        var spec = workspace.WriteSpec("""
            experiment: scripted-run
            data: {dataset: fashion-mnist, train_limit: 200, test_limit: 50}
            model: {channels: [4], latent_dim: 2}
            train: {epochs: 1, batch_size: 100}
            eval: {sample_count: 4, reconstruction_count: 4, test_iwae_samples: 0}
            """);

        var table = await ExpProcess.RunAsync(workspace.Directory, "run", spec, "loss.kl_weight=0.1,1", "--parallel", "2");

        Assert.True(table.ExitCode == 0, table.ToString());
        // Progress (the sweep's start, each trial's start, epoch and end) on stderr; stdout is the table and the lines that follow it.
        foreach (var progress in new[] { "sweep scripted-run: 2 trial(s)", "started  kl_weight=0.1", "epoch    kl_weight=1 1/1", "finished kl_weight=0.1 in" })
        {
            Assert.Contains(progress, table.Error);
        }
        var stdout = table.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("trials, best held-out ELBO first", stdout[0]);
        Assert.DoesNotContain(stdout, line => line.StartsWith("started", StringComparison.Ordinal) || line.StartsWith("epoch", StringComparison.Ordinal));
        Assert.Contains("2 of 2 trials finished", table.Output);

        // Run again: both trials are finished, so these only print the summary, from the store.
        var json = await ExpProcess.RunAsync(workspace.Directory, "run", spec, "loss.kl_weight=0.1,1", "--json");
        var csv = await ExpProcess.RunAsync(workspace.Directory, "run", spec, "loss.kl_weight=0.1,1", "--csv");

        Assert.True(json.ExitCode == 0 && csv.ExitCode == 0, json + "\n" + csv);
        var trials = workspace.Trials("scripted-run").ToDictionary(t => t.RunId);
        using var document = JsonDocument.Parse(json.Output);
        var root = document.RootElement;
        Assert.Equal(Metrics.Elbo, root.GetProperty("objective").GetProperty("metric").GetString());
        Assert.Equal(2, root.GetProperty("finished").GetInt32());
        var listed = root.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(["0.1", "1"], listed.Select(t => t.GetProperty("swept").GetProperty("loss.kl_weight").GetString()).Order());
        Assert.All(listed, t => Assert.Equal("finished-before", t.GetProperty("status").GetString()));
        Assert.All(listed, t => Assert.Equal(
            trials[t.GetProperty("runId").GetString()!].Metrics[Metrics.Elbo], t.GetProperty("metrics").GetProperty(Metrics.Elbo).GetDouble()));
        // Ranked best first: rank 1 has the higher held-out ELBO.
        Assert.Equal([1, 2], listed.Select(t => t.GetProperty("rank").GetInt32()));
        Assert.True(listed[0].GetProperty("metrics").GetProperty(Metrics.Elbo).GetDouble() >= listed[1].GetProperty("metrics").GetProperty(Metrics.Elbo).GetDouble());

        var rows = csv.Output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).Select(l => l.Split(',')).ToList();
        Assert.Equal(["rank", "id", "name", "status", "runId", "loss.kl_weight"], rows[0].Take(6));
        Assert.Equal(3, rows.Count);
        var elbo = Array.IndexOf(rows[0], Metrics.Elbo);
        Assert.All(rows.Skip(1), row => Assert.Equal(trials[row[4]].Metrics[Metrics.Elbo], double.Parse(row[elbo], CultureInfo.InvariantCulture)));
    }

    public void Dispose() => workspace.Dispose();
}
