using Exp.Catalog;
using Exp.Cli.Tests.Support;
using Exp.Engine.Objective;
using Exp.Runner.Trials;
using Exp.Spec;
using Exp.Testing;
using Exp.Tracking.Model;

namespace Exp.Cli.Tests;

/// <summary>`exp run` against an MLflow server (the strict in-process stand-in): the sweep's shape arrives intact.</summary>
public sealed class ServerTrackingTests : IDisposable
{
    private readonly Workspace workspace = new();

    [Fact]
    public async Task A_sweep_reaches_the_server_as_a_parent_run_with_its_trials_as_children_and_every_value()
    {
        await using var server = await MlflowStandInServer.StartNewAsync();
        var spec = workspace.WriteSpec($"""
            experiment: e2e-server
            data: {"{"}dataset: fashion-mnist, train_limit: 300, test_limit: 100{"}"}
            model: {"{"}channels: [8, 16], latent_dim: 4{"}"}
            train: {"{"}epochs: 2, batch_size: 100, log_every: 1{"}"}
            eval: {"{"}sample_count: 4, reconstruction_count: 4, test_iwae_samples: 0{"}"}
            tracking: {"{"}uri: "{server.Uri}"{"}"}
            sweep:
              parameters:
                loss.kl_weight: [1e-5, 1.0]
            """);

        var result = await ExpProcess.RunAsync(workspace.Directory, "run", spec, "--parallel", "2");

        Assert.True(result.ExitCode == 0, result.ToString());
        var parent = Assert.Single(server.Runs, run => run.Tags.ContainsKey(TrialTags.SweepId));
        Assert.Equal("FINISHED", parent.Status);
        var children = server.Runs.Where(run => run.Tags.ContainsKey(TrialTags.TrialId)).ToList();
        Assert.Equal(2, children.Count);
        // The experiment is created with its kind, so the UI does not ask to confirm one; the parent carries the sweep's best objective.
        Assert.Equal(MlflowTags.MachineLearningExperiment, server.ExperimentTags("e2e-server")[MlflowTags.ExperimentKind]);
        Assert.Equal(
            children.Max(child => child.Metrics.Where(m => m.Key == Metrics.Elbo).MaxBy(m => m.Step)!.Value),
            Assert.Single(parent.Metrics, m => m.Key == ObjectiveMetric.Key).Value);
        foreach (var child in children)
        {
            Assert.Equal("FINISHED", child.Status);
            Assert.Equal(parent.RunId, child.Tags["mlflow.parentRunId"]);
            var local = workspace.Trials("e2e-server").Single(t => t.TrialId == child.Tags[TrialTags.TrialId]);
            Assert.Equal(workspace.Store.GetParams(local.Run.RunId), child.Params);
            // As mlflow.log_param writes str(1e-05), so `params.kl_weight = '1e-05'` finds it.
            Assert.Equal(
                child.Params["loss.kl_weight"],
                File.ReadAllText(Path.Combine(workspace.Store.RunDirectory(local.Run.RunId), "params", "loss.kl_weight")));
            Assert.Contains(child.Params["loss.kl_weight"], new[] { "1e-05", "1.0" });
            Assert.Equal(
                workspace.History(local, Metrics.TrainLoss).Select(m => (m.Step, m.Value)),
                child.Metrics.Where(m => m.Key == Metrics.TrainLoss).OrderBy(m => m.Step).Select(m => (m.Step, m.Value)));
            Assert.Equal(2, child.Metrics.Count(m => m.Key == Metrics.Elbo));
            // The last epoch's pictures at the step its metrics were logged at, where MLflow's image card looks for them.
            var images = $"{child.ExperimentId}/{child.RunId}/artifacts/images/";
            var lastEpochEnd = child.Metrics.Single(m => m.Key == Metrics.Epoch && m.Value == 2).Step;
            Assert.Contains(server.Artifacts.Keys, path => path.StartsWith($"{images}samples%step%{lastEpochEnd}%", StringComparison.Ordinal));
            Assert.Contains(server.Artifacts.Keys, path => path.StartsWith($"{images}reconstructions%step%{lastEpochEnd}%", StringComparison.Ordinal));
        }
        Assert.All(server.Artifacts.Values, bytes => Assert.NotEmpty(bytes));
        Assert.All(server.Requests, request => Assert.False(request.Chunked, $"{request.Method} {request.Path} was sent chunked"));

        // The sweep's report is written before its run ends, so it goes to the server with the run (the MLflow UI
        // shows HTML artifacts), reads as ended rather than live, and the account that says every run is there counts it.
        Assert.Contains($"All 3 runs are on {server.Uri}.", result.Output, StringComparison.Ordinal);
        // The server is where to look: not the local store, which MLflow's UI would have to be pointed at by hand.
        Assert.Contains($"Open in MLflow: {server.Uri}", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("--backend-store-uri", result.Output, StringComparison.Ordinal);
        var sweep = Assert.Single(workspace.Catalog.Sweeps());
        var report = File.ReadAllBytes(Path.Combine(workspace.Store.ArtifactDirectory(sweep.Run.RunId), "report.html"));
        Assert.True(server.Artifacts.TryGetValue($"{parent.ExperimentId}/{parent.RunId}/artifacts/report.html", out var sent), "report.html did not reach the server");
        Assert.Equal(report, sent);
        Assert.DoesNotContain("class=\"live\"", System.Text.Encoding.UTF8.GetString(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_refuses_fails_the_run_and_the_last_line_names_the_refusal()
    {
        await using var server = await MlflowStandInServer.StartNewAsync();
        server.Forbidden = true;
        var spec = TinySweep(server.Uri);

        var result = await ExpProcess.RunAsync(workspace.Directory, "run", spec);

        Assert.True(result.ExitCode == 1, result.ToString());
        var last = LastLine(result.Error);
        Assert.StartsWith($"error: 0 of 3 runs are on {server.Uri}; 3 are only in runs/: the server refused it (", last, StringComparison.Ordinal);
        Assert.Contains("HTTP 403 PERMISSION_DENIED", last, StringComparison.Ordinal);
        Assert.DoesNotContain($"are on {server.Uri}.", result.Output, StringComparison.Ordinal);
        Assert.Equal(2, workspace.Trials("tiny").Count(t => t.Run.Status == Exp.Tracking.Model.RunStatus.Finished));

        // Once the server lets the user in, exp push delivers every run and says so.
        server.Forbidden = false;
        var push = await ExpProcess.RunAsync(workspace.Directory, "push", "--tracking-uri", server.Uri.ToString());
        Assert.True(push.ExitCode == 0, push.ToString());
        Assert.Equal($"All 3 runs are on {server.Uri}.", LastLine(push.Output));
        Assert.Equal(3, server.Runs.Count);
    }

    [Fact]
    public async Task A_server_down_all_along_leaves_every_run_safe_with_exit_0_and_a_last_line_naming_exp_push()
    {
        var down = new Uri($"http://127.0.0.1:{MlflowStandInServer.FreePort()}/");
        var spec = TinySweep(down);

        var result = await ExpProcess.RunAsync(workspace.Directory, "run", spec);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith($"warning: 0 of 3 runs are on {down}; 3 are only in runs/: the server was unreachable", LastLine(result.Error), StringComparison.Ordinal);
        Assert.EndsWith("`exp push runs` sends them.", LastLine(result.Error), StringComparison.Ordinal);
        Assert.DoesNotContain($"are on {down}.", result.Output, StringComparison.Ordinal);
        Assert.Equal(2, workspace.Trials("tiny").Count(t => t.Run.Status == Exp.Tracking.Model.RunStatus.Finished));

        // exp push to the same dead server fails: delivering is all it does.
        var push = await ExpProcess.RunAsync(workspace.Directory, "push", "--tracking-uri", down.ToString());
        Assert.True(push.ExitCode == 1, push.ToString());
        Assert.StartsWith($"warning: 0 of 3 runs are on {down}", LastLine(push.Error), StringComparison.Ordinal);
    }

    private string TinySweep(Uri server) => workspace.WriteSpec($"""
        experiment: tiny
        data: {"{"}dataset: fashion-mnist, train_limit: 200, test_limit: 50{"}"}
        model: {"{"}channels: [4], latent_dim: 2{"}"}
        train: {"{"}epochs: 1, batch_size: 100{"}"}
        eval: {"{"}sample_count: 4, reconstruction_count: 4{"}"}
        tracking: {"{"}uri: "{server}"{"}"}
        sweep:
          parameters:
            loss.kl_weight: [0.1, 1.0]
        """);

    private static string LastLine(string text) => text.TrimEnd().Split('\n')[^1];

    public void Dispose() => workspace.Dispose();
}
