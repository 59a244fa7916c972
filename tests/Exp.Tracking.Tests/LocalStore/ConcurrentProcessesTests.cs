using System.Diagnostics;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Tests.Support;

namespace Exp.Tracking.Tests.LocalStore;

public sealed class ConcurrentProcessesTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Several_processes_writing_one_store_create_one_experiment_and_intact_runs()
    {
        const int processes = 4;
        const int values = 300;
        var testAssembly = typeof(Program).Assembly.Location;
        var children = Enumerable.Range(0, processes)
            .Select(_ => Process.Start(new ProcessStartInfo("dotnet", [testAssembly, "store-writer", _root.Path, "shared", values.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            {
                RedirectStandardError = true,
                UseShellExecute = false,
            })!)
            .ToList();
        foreach (var child in children)
        {
            await child.WaitForExitAsync();
            Assert.True(child.ExitCode == 0, await child.StandardError.ReadToEndAsync());
        }

        var store = new FileStore(_root.Path);
        var experiment = Assert.Single(store.ListExperiments(), e => e.Name == "shared");
        var runs = store.ListRuns(experiment.ExperimentId);
        Assert.Equal(processes, runs.Count);
        Assert.All(runs, run =>
        {
            Assert.Equal(Enumerable.Range(0, values).Select(step => (long)step), store.GetMetricHistory(run.RunId, "loss").Select(metric => metric.Step));
            Assert.Equal(Model.RunStatus.Finished, run.Status);
        });
        Assert.Equal(processes, runs.Select(run => store.GetParams(run.RunId)["process"]).Distinct().Count());
    }
}
