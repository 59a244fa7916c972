using System.Text.RegularExpressions;
using Exp.Testing;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking.Recording;
using Exp.Tracking.Tests.Support;

namespace Exp.Tracking.Tests.LocalStore;

public sealed partial class FileStoreTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private readonly TemporaryDirectory _root = new();
    private readonly FixedClock _clock = new(Start);

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task A_written_run_has_the_files_and_meta_yaml_fields_of_mlflows_file_store()
    {
        await using (var tracker = Tracker.Open(new TrackingTarget(_root.Path, null), options: new TrackerOptions { Clock = _clock }))
        {
            var experiment = tracker.GetOrCreateExperiment("kl-sweep");
            await using var run = tracker.StartRun(experiment.ExperimentId, new RunStart("beta=0.1") { UserId = "researcher" });
            run.LogParams([new Param("loss.beta", "0.1"), new Param("model/latent", "16")]);
            run.LogMetrics(new Dictionary<string, double> { ["train/loss"] = 1.5, ["elbo"] = -120 }, step: 1);
            run.LogMetric("elbo", double.NaN, step: 2);
            run.SetTags([new RunTag("exp.trialId", "t-1")]);
            run.LogArtifact("spec/resolved.yaml", "a: 1\n"u8.ToArray());
            run.LogImage("samples/grid", step: 3, TestImages.Png(30, 20));
            await run.EndAsync(RunStatus.Finished);
        }

        var ids = new Dictionary<string, string>();
        string Normalize(string text)
        {
            text = text.Replace(new Uri(_root.Path).AbsoluteUri, "file:///ROOT", StringComparison.Ordinal);
            text = ExperimentIdPattern().Replace(text, match => ids.TryAdd(match.Value, "EXPERIMENT_ID") ? "EXPERIMENT_ID" : ids[match.Value]);
            text = RunIdPattern().Replace(text, "RUN_ID"); // quoted or not, depending on its first character
            return ImageUuidPattern().Replace(text, "%IMAGE_UUID");
        }

        var files = Directory.EnumerateFiles(_root.Path, "*", SearchOption.AllDirectories)
            .Select(file => Normalize(Path.GetRelativePath(_root.Path, file).Replace('\\', '/')))
            .Order(StringComparer.Ordinal)
            .ToList();
        var experimentDirectory = Directory.EnumerateDirectories(_root.Path).Single(d => Path.GetFileName(d).Length == 18);
        var runDirectory = Directory.EnumerateDirectories(experimentDirectory).Single();
        Snapshots.Match(
            new
            {
                Files = files,
                DefaultExperimentMeta = Normalize(File.ReadAllText(Path.Combine(_root.Path, "0", "meta.yaml"))),
                ExperimentMeta = Normalize(File.ReadAllText(Path.Combine(experimentDirectory, "meta.yaml"))),
                RunMeta = Normalize(File.ReadAllText(Path.Combine(runDirectory, "meta.yaml"))),
                ElboMetricFile = File.ReadAllText(Path.Combine(runDirectory, "metrics", "elbo")),
                ParamFile = File.ReadAllText(Path.Combine(runDirectory, "params", "model", "latent")),
            },
            "mlflow-file-store-layout");
    }

    [Fact]
    public void Values_written_are_read_back_including_unicode_and_odd_keys()
    {
        var store = new FileStore(_root.Path, _clock);
        var experiment = store.GetOrCreateExperiment("Ünïcode experiment: 実験");
        var run = store.CreateRun(experiment.ExperimentId, new RunStart("run 1") { ParentRunId = "abc" });
        string[] keys = ["損失", "loss with spaces", "a-b.c_d", "deep/er/key", ".hidden"];
        store.LogMetrics(run.RunId, keys.SelectMany(key => new[] { new Metric(key, 0.5, 10, 0), new Metric(key, 1e-300, 11, 1) }));
        store.LogParams(run.RunId, keys.Select(key => new Param(key, $"value of {key}\nsecond line")));
        store.SetTags(run.RunId, [new RunTag("note", "ü: 'quoted' #1")]);

        var reopened = new FileStore(_root.Path, _clock);
        Assert.Equal(experiment, reopened.GetExperimentByName("Ünïcode experiment: 実験"));
        Assert.Equal(run, reopened.GetRun(run.RunId));
        Assert.Equal(keys.Order(StringComparer.Ordinal), reopened.GetMetricKeys(run.RunId));
        Assert.Equal([new Metric("損失", 0.5, 10, 0), new Metric("損失", 1e-300, 11, 1)], reopened.GetMetricHistory(run.RunId, "損失"));
        Assert.Equal("value of deep/er/key\nsecond line", reopened.GetParams(run.RunId)["deep/er/key"]);
        Assert.Equal("ü: 'quoted' #1", reopened.GetTags(run.RunId)["note"]);
        Assert.Equal("abc", reopened.GetTags(run.RunId)[MlflowTags.ParentRunId]);
        Assert.Equal("run 1", reopened.GetTags(run.RunId)[MlflowTags.RunName]);
        Assert.Equal([run], reopened.ListRuns(experiment.ExperimentId));
    }

    [Theory]
    [InlineData("a//b")]
    [InlineData("/a")]
    [InlineData("a/")]
    [InlineData("../escape")]
    [InlineData("a/./b")]
    [InlineData("")]
    [InlineData("colon:key")]
    [InlineData("semi;colon")]
    [InlineData("tab\tkey")]
    public void Invalid_keys_are_refused_with_mlflows_reason(string key)
    {
        var store = new FileStore(_root.Path, _clock);
        var run = store.CreateRun(FileStore.DefaultExperimentId, new RunStart("r"));

        var error = Assert.Throws<ArgumentException>(() => store.LogMetrics(run.RunId, [new Metric(key, 1, 1, 1)]));
        Assert.StartsWith($"Invalid metric name: '{key}'.", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => store.LogParams(run.RunId, [new Param(key, "v")]));
        Assert.Throws<ArgumentException>(() => store.SetTags(run.RunId, [new RunTag(key, "v")]));
        Assert.Empty(store.GetMetricKeys(run.RunId));
    }

    [Fact]
    public void Reading_after_an_offset_returns_only_the_complete_values_appended_since()
    {
        var store = new FileStore(_root.Path, _clock);
        var run = store.CreateRun(FileStore.DefaultExperimentId, new RunStart("r"));
        store.LogMetrics(run.RunId, [new Metric("loss", 3, 1, 1), new Metric("loss", 2, 2, 2)]);
        var first = store.GetMetricHistoryAfter(run.RunId, "loss", 0)!;
        store.LogMetrics(run.RunId, [new Metric("loss", 1, 3, 3)]);
        var path = Path.Combine(store.RunDirectory(run.RunId), "metrics", "loss");
        File.AppendAllText(path, "4 0.5"); // a writer killed mid-line

        var appended = store.GetMetricHistoryAfter(run.RunId, "loss", first.EndOffset)!;

        Assert.Equal([1L, 2L], first.Values.Select(metric => metric.Step));
        Assert.Equal([3L], appended.Values.Select(metric => metric.Step));
        Assert.Equal(new FileInfo(path).Length - "4 0.5".Length, appended.EndOffset);
        Assert.Empty(store.GetMetricHistoryAfter(run.RunId, "loss", appended.EndOffset)!.Values);
        // A rewritten file (a resume dropped values) no longer ends a line there: the caller reads it whole.
        store.DeleteMetricsAfterStep(run.RunId, 1);
        Assert.Null(store.GetMetricHistoryAfter(run.RunId, "loss", appended.EndOffset));
        Assert.Null(store.GetMetricHistoryAfter(run.RunId, "loss", 3));
        var never = store.GetMetricHistoryAfter(run.RunId, "never-logged", 0)!;
        Assert.Equal((0, 0L), (never.Values.Count, never.EndOffset));
    }

    [Fact]
    public void Over_long_keys_and_values_are_refused()
    {
        var store = new FileStore(_root.Path, _clock);
        var run = store.CreateRun(FileStore.DefaultExperimentId, new RunStart("r"));

        Assert.Throws<ArgumentException>(() => store.LogMetrics(run.RunId, [new Metric(new string('k', 251), 1, 1, 1)]));
        Assert.Throws<ArgumentException>(() => store.LogParams(run.RunId, [new Param("p", new string('v', 6001))]));
        Assert.Throws<ArgumentException>(() => store.SetTags(run.RunId, [new RunTag("t", new string('v', 5001))]));
    }

    [Fact]
    public void A_param_keeps_its_first_value()
    {
        var store = new FileStore(_root.Path, _clock);
        var run = store.CreateRun(FileStore.DefaultExperimentId, new RunStart("r"));
        store.LogParams(run.RunId, [new Param("lr", "0.001")]);
        store.LogParams(run.RunId, [new Param("lr", "0.001")]);

        var error = Assert.Throws<InvalidOperationException>(() => store.LogParams(run.RunId, [new Param("lr", "0.01")]));
        Assert.Contains("Changing param values is not allowed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partial_last_line_is_skipped_by_the_reader_and_cut_when_the_run_is_resumed()
    {
        await using var tracker = Tracker.Open(new TrackingTarget(_root.Path, null), options: new TrackerOptions { Clock = _clock });
        var run = tracker.StartRun(FileStore.DefaultExperimentId, new RunStart("crashing"));
        run.LogMetric("loss", 2.0, 1);
        run.LogMetric("loss", 1.0, 2);
        await run.FlushAsync();
        var file = Path.Combine(tracker.Store.RunDirectory(run.Run.RunId), "metrics", "loss");
        File.AppendAllText(file, "1735787045000 0.5"); // a write cut short by a kill

        Assert.Equal([1L, 2L], tracker.Store.GetMetricHistory(run.Run.RunId, "loss").Select(metric => metric.Step));
        await run.EndAsync(RunStatus.Killed); // releases the run, as the dead process would have

        await using var resumed = tracker.ResumeRun(run.Run.RunId);
        Assert.Equal(RunStatus.Running, resumed.Run.Status);
        Assert.EndsWith("1.0 2\n", File.ReadAllText(file), StringComparison.Ordinal);
        resumed.LogMetric("loss", 0.25, 3);
        await resumed.EndAsync(RunStatus.Finished);
        Assert.Equal([2.0, 1.0, 0.25], tracker.Store.GetMetricHistory(run.Run.RunId, "loss").Select(metric => metric.Value));
    }

    [Fact]
    public async Task Metrics_after_a_resumed_step_are_dropped_so_each_step_has_one_value()
    {
        await using var tracker = Tracker.Open(new TrackingTarget(_root.Path, null), options: new TrackerOptions { Clock = _clock });
        await using var run = tracker.StartRun(FileStore.DefaultExperimentId, new RunStart("resumed"));
        for (var step = 1; step <= 5; step++)
        {
            run.LogMetrics(new Dictionary<string, double> { ["loss"] = step, ["late"] = step }, step);
        }
        run.DeleteMetricsAfterStep(3);
        run.LogMetric("loss", 40, 4);
        await run.EndAsync(RunStatus.Finished);

        Assert.Equal([1L, 2L, 3L, 4L], tracker.Store.GetMetricHistory(run.Run.RunId, "loss").Select(metric => metric.Step));
        Assert.Equal(40, tracker.Store.GetMetricHistory(run.Run.RunId, "loss")[^1].Value);
        Assert.Equal([1L, 2L, 3L], tracker.Store.GetMetricHistory(run.Run.RunId, "late").Select(metric => metric.Step));
    }

    [Fact]
    public async Task Images_after_a_resumed_step_are_removed_with_their_previews()
    {
        await using var tracker = Tracker.Open(new TrackingTarget(_root.Path, null), options: new TrackerOptions { Clock = _clock });
        await using var run = tracker.StartRun(FileStore.DefaultExperimentId, new RunStart("resumed"));
        foreach (var step in new[] { 10L, 20L, 30L })
        {
            run.LogImage("samples", step, TestImages.Png(8, 8));
            run.LogImage("reconstructions", step, TestImages.Png(8, 8));
        }
        run.LogArtifact("spec.yaml", "a: 1\n"u8.ToArray());
        await run.FlushAsync();

        Assert.Equal(2, tracker.Store.DeleteImagesAfterStep(run.Run.RunId, 20));

        var left = tracker.Store.ListArtifacts(run.Run.RunId);
        var steps = left.Select(path => ImageArtifactNames.TryParse(path, out var key, out var step) ? $"{key}@{step}" : null).OfType<string>().Order();
        Assert.Equal(["reconstructions@10", "reconstructions@20", "samples@10", "samples@20"], steps);
        Assert.Equal(4, left.Count(path => path.EndsWith(ImageArtifactNames.PreviewSuffix, StringComparison.Ordinal)));
        Assert.Contains("spec.yaml", left);
        await run.EndAsync(RunStatus.Finished);
    }

    [Fact]
    public void Meta_yaml_written_by_mlflow_is_read()
    {
        var store = new FileStore(_root.Path, _clock);
        var runDirectory = Path.Combine(_root.Path, "0", "4f1c2b");
        Directory.CreateDirectory(runDirectory);
        // As PyYAML writes it: a legacy int experiment id, a long value folded onto two lines.
        File.WriteAllText(Path.Combine(runDirectory, "meta.yaml"), """
            artifact_uri: file:///a/very/long/path/that/PyYAML/folds because it has spaces and
              goes/past/eighty/columns/0/4f1c2b/artifacts
            end_time: null
            entry_point_name: ''
            experiment_id: '0'
            lifecycle_stage: active
            run_id: 4f1c2b
            run_name: mlflow-made
            run_uuid: 4f1c2b
            source_name: ''
            source_type: 4
            source_version: ''
            start_time: 1700000000000
            status: 3
            tags: []
            user_id: someone

            """);

        var run = store.GetRun("4f1c2b");
        Assert.Equal(
            new RunInfo("4f1c2b", "0", "mlflow-made", "someone", RunStatus.Finished, 1700000000000, null,
                "file:///a/very/long/path/that/PyYAML/folds because it has spaces and goes/past/eighty/columns/0/4f1c2b/artifacts", "active"),
            run);
    }

    [GeneratedRegex("[1-9][0-9]{17}")]
    private static partial Regex ExperimentIdPattern();

    [GeneratedRegex("'?[0-9a-f]{32}'?")]
    private static partial Regex RunIdPattern();

    [GeneratedRegex("%[g-z][0-9a-f]{7}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex ImageUuidPattern();
}
