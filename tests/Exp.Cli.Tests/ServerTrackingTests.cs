using Exp.Cli.Tests.Support;
using Exp.Engine.Objective;
using Exp.Runner.Trials;
using Exp.Testing;

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
            eval: {"{"}sample_count: 4, reconstruction_count: 4{"}"}
            tracking: {"{"}uri: "{server.Uri}"{"}"}
            sweep:
              parameters:
                loss.kl_weight: [0.1, 1.0]
            """);

        var result = await ExpProcess.RunAsync(workspace.Directory, "run", spec, "--parallel", "2");

        Assert.True(result.ExitCode == 0, result.ToString());
        var parent = Assert.Single(server.Runs, run => run.Tags.ContainsKey(TrialTags.SweepId));
        Assert.Equal("FINISHED", parent.Status);
        var children = server.Runs.Where(run => run.Tags.ContainsKey(TrialTags.TrialId)).ToList();
        Assert.Equal(2, children.Count);
        foreach (var child in children)
        {
            Assert.Equal("FINISHED", child.Status);
            Assert.Equal(parent.RunId, child.Tags["mlflow.parentRunId"]);
            var local = workspace.Trials("e2e-server").Single(t => t.TrialId == child.Tags[TrialTags.TrialId]);
            Assert.Equal(workspace.Store.GetParams(local.Run.RunId), child.Params);
            Assert.Equal(
                workspace.History(local, Metrics.TrainLoss).Select(m => (m.Step, m.Value)),
                child.Metrics.Where(m => m.Key == Metrics.TrainLoss).OrderBy(m => m.Step).Select(m => (m.Step, m.Value)));
            Assert.Equal(2, child.Metrics.Count(m => m.Key == Metrics.Elbo));
        }
        Assert.Contains(server.Artifacts.Keys, path => path.Contains("images/samples%step%2%", StringComparison.Ordinal));
        Assert.Contains(server.Artifacts.Keys, path => path.Contains("images/reconstructions%step%2%", StringComparison.Ordinal));
        Assert.All(server.Artifacts.Values, bytes => Assert.NotEmpty(bytes));
        Assert.All(server.Requests, request => Assert.False(request.Chunked, $"{request.Method} {request.Path} was sent chunked"));
    }

    public void Dispose() => workspace.Dispose();
}
