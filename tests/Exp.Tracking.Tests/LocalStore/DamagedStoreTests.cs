using Exp.Testing;
using Exp.Tracking.Forwarding;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking.Rest;
using Exp.Tracking.Tests.Support;

namespace Exp.Tracking.Tests.LocalStore;

/// <summary>One damaged run does not take the rest of the store down: it is skipped, its file named once.</summary>
public sealed class DamagedStoreTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    public void Dispose() => _root.Dispose();

    public static TheoryData<string, string> Damages => new()
    {
        { "meta.yaml", "not a run's meta.yaml" },
        { "metrics/loss", "line 2 'garbage' is not 'timestamp value step'" },
        { "tags/note", "not UTF-8 text" },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task Push_skips_the_damaged_run_with_one_warning_naming_the_file_and_sends_the_others(string file, string problem)
    {
        var store = new FileStore(_root.Path);
        var experiment = store.GetOrCreateExperiment("e");
        var runs = Enumerable.Range(1, 3).Select(index => Run(store, experiment.ExperimentId, $"run-{index}")).ToList();
        var damaged = Damage(store, runs[1], file);
        await using var server = await MlflowStandInServer.StartNewAsync();
        using var client = new MlflowRestClient(server.Uri, new MlflowClientOptions { MaxRetries = 0 });

        var fresh = new FileStore(_root.Path);
        var summary = await new RunPusher(fresh, client).PushAllAsync();

        Assert.Equal(["run-1", "run-3"], server.Runs.Select(run => run.RunName).Order());
        var warning = Assert.Single(summary.Damage);
        Assert.StartsWith($"{damaged}: {problem}", warning, StringComparison.Ordinal);
        Assert.True(summary.Delivery.Complete, summary.Delivery.Summary);
    }

    [Fact]
    public void Reading_a_damaged_run_names_the_file_and_listing_skips_it()
    {
        var store = new FileStore(_root.Path);
        var experiment = store.GetOrCreateExperiment("e");
        var good = Run(store, experiment.ExperimentId, "good");
        var bad = Run(store, experiment.ExperimentId, "bad");
        var meta = Damage(store, bad, "meta.yaml");
        var metrics = Damage(store, good, "metrics/loss");

        var fresh = new FileStore(_root.Path);
        Assert.Equal([good], fresh.ListRuns(experiment.ExperimentId).Select(run => run.RunId));
        var error = Assert.Throws<DamagedRunException>(() => fresh.GetMetricHistory(good, "loss"));
        Assert.Equal(metrics, error.File);
        Assert.False(fresh.TryReadRun(() => fresh.GetMetricHistory(good, "loss"), out _));
        Assert.False(fresh.TryReadRun(() => fresh.GetMetricHistory(good, "loss"), out _));
        Assert.Equal(new[] { meta, metrics }.Order(StringComparer.Ordinal), fresh.Damage.Select(damage => damage.File));
    }

    private static string Run(FileStore store, string experimentId, string name)
    {
        var run = store.CreateRun(experimentId, new RunStart(name));
        store.LogMetrics(run.RunId, [new Metric("loss", 1, 10, 1), new Metric("loss", 0.5, 20, 2)]);
        store.SetTags(run.RunId, [new RunTag("note", "ok")]);
        store.UpdateRun(run.RunId, RunStatus.Finished, 30);
        return run.RunId;
    }

    /// <summary>Damages one file of a run as a crash, a disk or an editor might; returns its path.</summary>
    private static string Damage(FileStore store, string runId, string file)
    {
        var path = Path.Combine(store.RunDirectory(runId), file);
        switch (file)
        {
            case "meta.yaml":
                File.WriteAllText(path, "run_id: [unclosed\nstatus: {\n");
                break;
            case "metrics/loss":
                File.WriteAllText(path, "10 1.0 1\ngarbage\n");
                break;
            default:
                File.WriteAllBytes(path, [0x6f, 0x6b, 0xff, 0xfe]);
                break;
        }
        return path;
    }
}
