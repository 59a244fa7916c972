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

    [Fact]
    public void A_damaged_file_with_terminal_escapes_is_named_with_them_escaped_and_its_line_cut_short()
    {
        var store = new FileStore(_root.Path);
        var run = Run(store, store.GetOrCreateExperiment("e").ExperimentId, "run");
        var path = Path.Combine(store.RunDirectory(run), "metrics", "loss");
        // Clears the screen, turns red, and returns the cursor to overwrite the line: what `cat` of a bad disk block can do.
        File.WriteAllText(path, "10 1.0 1\n\u001b[2J\u001b[31mEVIL\r\u202e" + new string('x', 200) + "\n");

        var fresh = new FileStore(_root.Path);
        Assert.False(fresh.TryReadRun(() => fresh.GetMetricHistory(run, "loss"), out _));

        var warning = Assert.Single(fresh.Damage).Warning;
        Assert.DoesNotContain(warning, char.IsControl);
        Assert.StartsWith($"{path}: line 2 '\\u001b[2J\\u001b[31mEVIL\\u000d\\u202e{new string('x', 65)}...' is not 'timestamp value step'", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_or_an_experiment_deleted_while_it_is_read_is_skipped_as_gone_not_as_damage()
    {
        var store = new FileStore(_root.Path);
        var kept = store.GetOrCreateExperiment("kept");
        var runs = Enumerable.Range(1, 3).Select(index => Run(store, kept.ExperimentId, $"run-{index}")).ToList();
        var removed = store.GetOrCreateExperiment("removed");
        Run(store, removed.ExperimentId, "gone-with-its-experiment");

        var reader = new FileStore(_root.Path);
        var listed = reader.ListRuns(kept.ExperimentId);
        Assert.Equal(3, listed.Count);
        // `rm -r` of a run and of a whole experiment between the listing and the reading of them.
        Directory.Delete(Path.Combine(_root.Path, kept.ExperimentId, runs[1]), recursive: true);
        Directory.Delete(Path.Combine(_root.Path, removed.ExperimentId), recursive: true);

        var tags = listed.Select(run => reader.TryReadRun(() => reader.GetTags(run.RunId), out var read) ? read : null).ToList();
        Assert.Equal([true, false, true], tags.Select(read => read is not null));
        Assert.Empty(reader.ListRuns(removed.ExperimentId));
        Assert.Empty(reader.Damage);
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
