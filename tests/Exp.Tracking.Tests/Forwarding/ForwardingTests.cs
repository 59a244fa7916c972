using Exp.Tracking.Forwarding;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking;
using Exp.Tracking.Recording;
using Exp.Tracking.Rest;
using Exp.Tracking.Source;
using Exp.Testing;
using Exp.Tracking.Tests.Support;

namespace Exp.Tracking.Tests.Forwarding;

public sealed class ForwardingTests : IDisposable
{
    // Only the waits between tries are short. A request gets a generous time: a cold first request on a loaded machine can
    // take seconds, and a timeout would add a warning the tests count.
    private static readonly MlflowClientOptions FastClient = new()
    {
        MaxRetries = 1,
        RetryDelay = TimeSpan.FromMilliseconds(5),
        RequestTimeout = TimeSpan.FromSeconds(100),
    };

    private static readonly TrackerOptions FastTracker = new()
    {
        Client = FastClient,
        ForwardInterval = TimeSpan.FromMilliseconds(20),
        MaxOutageBackoff = TimeSpan.FromMilliseconds(100),
        FinalSyncTimeout = TimeSpan.FromSeconds(60),
    };

    private readonly TemporaryDirectory _root = new();
    private readonly RecordingLog _log = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task A_sweep_reaches_the_server_with_parent_child_links_images_and_artifacts()
    {
        await using var server = await MlflowStandInServer.StartNewAsync();
        await using (var tracker = Tracker.Open(new TrackingTarget(_root.Path, server.Uri), _log, FastTracker))
        {
            var experiment = tracker.GetOrCreateExperiment("kl-sweep");
            var systemTags = SystemTags.For("exp run kl.yaml", _root.Path, "researcher");
            await using var sweep = tracker.StartRun(experiment.ExperimentId, new RunStart("kl-sweep") { Tags = systemTags });
            await using var trial = tracker.StartRun(experiment.ExperimentId, new RunStart("beta=0.1")
            {
                ParentRunId = sweep.Run.RunId,
                Tags = [.. systemTags, new RunTag("trial", "t-0001")],
            });
            trial.LogParams([new Param("loss.beta", "0.1")]);
            LogSteps(trial, 1, 50);
            trial.LogImage("samples", step: 50, TestImages.Png(64, 32));
            trial.LogArtifact("spec.yaml", "beta: 0.1\n"u8.ToArray());
            await trial.EndAsync(RunStatus.Finished);
            await sweep.EndAsync(RunStatus.Finished);
        }

        var serverSweep = server.RunWithTag(MlflowTags.RunName, "kl-sweep");
        var serverTrial = server.RunWithTag(MlflowTags.RunName, "beta=0.1");
        Assert.Equal(serverSweep.RunId, serverTrial.Tags[MlflowTags.ParentRunId]);
        Assert.Equal("t-0001", serverTrial.Tags["trial"]);
        Assert.Equal("researcher", serverTrial.Tags[MlflowTags.User]);
        Assert.Equal("LOCAL", serverTrial.Tags[MlflowTags.SourceType]);
        Assert.Equal("True", serverTrial.Tags[MlflowTags.LoggedImages]);
        Assert.Equal(("FINISHED", "FINISHED"), (serverSweep.Status, serverTrial.Status));
        Assert.Equal(Enumerable.Range(1, 50).Select(step => (long)step), serverTrial.Metrics.Select(metric => metric.Step));
        Assert.Equal("0.1", serverTrial.Params["loss.beta"]);
        var artifacts = server.Artifacts.Keys.Where(path => path.Contains(serverTrial.RunId, StringComparison.Ordinal)).ToList();
        Assert.Contains($"1/{serverTrial.RunId}/artifacts/spec.yaml", artifacts);
        Assert.Single(artifacts, path => path.Contains("/images/samples%step%50%timestamp%", StringComparison.Ordinal) && path.EndsWith(".png", StringComparison.Ordinal));
        Assert.Single(artifacts, path => path.EndsWith("%compressed.webp", StringComparison.Ordinal));
        Assert.Empty(_log.Warnings);
    }

    [Fact]
    public async Task Server_down_at_start_training_goes_on_and_push_delivers_everything_once()
    {
        var port = MlflowStandInServer.FreePort();
        var serverUri = new Uri($"http://127.0.0.1:{port}/");
        string runId;
        DeliveryReport offline;
        await using (var tracker = Tracker.Open(new TrackingTarget(_root.Path, serverUri), _log, FastTracker))
        {
            await using var run = tracker.StartRun(tracker.GetOrCreateExperiment("offline").ExperimentId, new RunStart("offline-trial"));
            runId = run.Run.RunId;
            run.LogParams([new Param("lr", "0.001")]);
            LogSteps(run, 1, 1500);
            var ending = System.Diagnostics.Stopwatch.StartNew();
            await run.EndAsync(RunStatus.Finished);
            // A pass after the end found the server down: no waiting out the whole FinalSyncTimeout (60 s here).
            Assert.InRange(ending.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(30));
            offline = tracker.Delivery([runId])!;
        }
        Assert.Single(_log.Warnings, warning => warning.Contains("Training goes on", StringComparison.Ordinal));
        Assert.Single(_log.Warnings, warning => warning.Contains("exp push", StringComparison.Ordinal) && warning.Contains(runId, StringComparison.Ordinal));
        var missing = Assert.Single(offline.Missing);
        Assert.False(missing.Refused);
        Assert.Contains("the server was unreachable", missing.Reason, StringComparison.Ordinal);
        Assert.StartsWith($"0 of 1 run is on {serverUri}; 1 is only in {_root.Path}/: the server was unreachable (", offline.Summary, StringComparison.Ordinal);

        await using var server = MlflowStandInServer.NotStarted(port);
        await server.StartAsync();
        using var client = new MlflowRestClient(server.Uri, FastClient);
        var pusher = new RunPusher(new FileStore(_root.Path), client);
        var progress = new List<PushProgress>();
        var first = await pusher.PushAllAsync(new Progress<PushProgress>(progress.Add));
        var requestsAfterFirst = server.Requests.Count;
        var second = await pusher.PushAllAsync();

        var serverRun = Assert.Single(server.Runs);
        Assert.Equal(Enumerable.Range(1, 1500).Select(step => (long)step), serverRun.Metrics.Select(metric => metric.Step));
        Assert.Equal(("FINISHED", "0.001"), (serverRun.Status, serverRun.Params["lr"]));
        Assert.Equal((1, 1500), (first.Runs, first.Metrics));
        Assert.True(first.Delivery.Complete, first.Delivery.Summary);
        Assert.Equal($"The run is on {server.Uri}.", first.Delivery.Summary);
        Assert.Equal((1, 0, 0, 0), (second.Runs, second.Metrics, second.Params, second.Tags));
        // The second push only looks: it finds nothing to send.
        Assert.DoesNotContain(server.Requests.Skip(requestsAfterFirst), request => request.Path.EndsWith("log-batch", StringComparison.Ordinal) || request.Path.EndsWith("create", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Server_going_down_mid_run_and_coming_back_gets_everything_once()
    {
        await using var server = await MlflowStandInServer.StartNewAsync();
        await using var tracker = Tracker.Open(new TrackingTarget(_root.Path, server.Uri), _log, FastTracker);
        await using var run = tracker.StartRun(tracker.GetOrCreateExperiment("flaky").ExperimentId, new RunStart("flaky-trial"));
        LogSteps(run, 1, 100);
        await WaitUntil(() => server.Runs.Sum(r => r.Metrics.Count) == 100);

        server.Unreachable = true;
        LogSteps(run, 101, 200);
        await WaitUntil(() => !_log.Warnings.IsEmpty);
        LogSteps(run, 201, 300);
        server.Unreachable = false;
        LogSteps(run, 301, 400);
        await run.EndAsync(RunStatus.Finished);

        var serverRun = Assert.Single(server.Runs);
        Assert.Equal(Enumerable.Range(1, 400).Select(step => (long)step), serverRun.Metrics.Select(metric => metric.Step));
        Assert.Equal("FINISHED", serverRun.Status);
        Assert.Single(_log.Warnings);
        Assert.Contains("answers again", Assert.Single(_log.Infos), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logging_returns_while_the_server_stalls_and_nothing_is_lost()
    {
        await using var server = await MlflowStandInServer.StartNewAsync();
        await using var tracker = Tracker.Open(new TrackingTarget(_root.Path, server.Uri), _log, FastTracker);
        await using var run = tracker.StartRun(tracker.GetOrCreateExperiment("slow").ExperimentId, new RunStart("slow-trial"));
        server.Stall();
        LogSteps(run, 1, 10);
        await WaitUntil(() => server.StalledRequests > 0);

        // The forwarder is now stuck inside a request; the trainer's calls must still return.
        var logging = Task.Run(() =>
        {
            LogSteps(run, 11, 2000);
            run.LogImage("samples", 2000, TestImages.Png(8, 8));
        });
        await logging.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(server.StalledRequests > 0);

        server.Release();
        await run.EndAsync(RunStatus.Finished);
        var serverRun = Assert.Single(server.Runs);
        Assert.Equal(Enumerable.Range(1, 2000).Select(step => (long)step), serverRun.Metrics.Select(metric => metric.Step));
    }

    [Fact]
    public async Task A_half_pushed_run_is_completed_without_duplicates()
    {
        await using (var tracker = Tracker.Open(new TrackingTarget(_root.Path, null)))
        {
            var experiment = tracker.GetOrCreateExperiment("rsynced");
            await using var parent = tracker.StartRun(experiment.ExperimentId, new RunStart("sweep"));
            await using var child = tracker.StartRun(experiment.ExperimentId, new RunStart("trial") { ParentRunId = parent.Run.RunId });
            LogSteps(child, 1, 3500);
            await child.EndAsync(RunStatus.Failed);
            await parent.EndAsync(RunStatus.Finished);
        }
        await using var server = await MlflowStandInServer.StartNewAsync();
        using var client = new MlflowRestClient(server.Uri, FastClient with { MaxRetries = 0 });
        var pusher = new RunPusher(new FileStore(_root.Path), client);

        // The server goes down on the fourth log-batch request, after the second metrics batch of the trial.
        server.GoDownAtLogBatch = 4;
        var broken = await pusher.PushAllAsync();
        Assert.False(broken.Delivery.Complete);
        Assert.All(broken.Delivery.Missing, run => Assert.Contains("the server was unreachable", run.Reason, StringComparison.Ordinal));
        server.Unreachable = false;
        Assert.InRange(server.Runs.Sum(run => run.Metrics.Count), 1, 3499);

        var completed = await pusher.PushAllAsync();

        Assert.Equal(2, server.Runs.Count);
        var serverParent = server.RunWithTag(MlflowTags.RunName, "sweep");
        var serverChild = server.RunWithTag(MlflowTags.RunName, "trial");
        Assert.Equal(serverParent.RunId, serverChild.Tags[MlflowTags.ParentRunId]);
        Assert.Equal(Enumerable.Range(1, 3500).Select(step => (long)step), serverChild.Metrics.Select(metric => metric.Step));
        Assert.Equal("FAILED", serverChild.Status);
        Assert.True(completed.Delivery.Complete, completed.Delivery.Summary);
    }

    [Fact]
    public async Task A_run_created_on_the_server_before_its_cursor_was_saved_is_found_not_duplicated()
    {
        string runId;
        await using (var tracker = Tracker.Open(new TrackingTarget(_root.Path, null)))
        {
            await using var run = tracker.StartRun(FileStore.DefaultExperimentId, new RunStart("lost-cursor"));
            runId = run.Run.RunId;
            LogSteps(run, 1, 10);
            await run.EndAsync(RunStatus.Finished);
        }
        await using var server = await MlflowStandInServer.StartNewAsync();
        using var client = new MlflowRestClient(server.Uri, FastClient);
        var store = new FileStore(_root.Path);
        await new RunPusher(store, client).PushAllAsync();
        File.Delete(Path.Combine(store.RunDirectory(runId), ".exp-forwarding.json")); // as if the process died before saving it

        await new RunPusher(store, client).PushAllAsync();

        var serverRun = Assert.Single(server.Runs);
        Assert.Equal(runId, serverRun.Tags[RunForwarder.LocalRunIdTag]);
        Assert.Equal(Enumerable.Range(1, 10).Select(step => (long)step), serverRun.Metrics.Select(metric => metric.Step));
    }

    [Fact]
    public async Task A_server_that_refuses_is_accounted_as_a_refusal_with_its_reason()
    {
        await using var server = await MlflowStandInServer.StartNewAsync();
        server.Forbidden = true;
        DeliveryReport delivery;
        // The final wait is generous: the account must come from the refusal, however slow the machine.
        await using (var tracker = Tracker.Open(new TrackingTarget(_root.Path, server.Uri), _log, FastTracker))
        {
            await using var run = tracker.StartRun(tracker.GetOrCreateExperiment("private").ExperimentId, new RunStart("refused-trial"));
            LogSteps(run, 1, 10);
            await run.EndAsync(RunStatus.Finished);
            delivery = tracker.Delivery([run.Run.RunId])!;
        }

        var refused = Assert.Single(delivery.Missing);
        Assert.True(delivery.AnyRefused);
        Assert.Contains("HTTP 403 PERMISSION_DENIED", refused.Reason, StringComparison.Ordinal);
        Assert.Contains("once the cause is fixed, `exp push", delivery.Summary, StringComparison.Ordinal);

        // Fixed on the server's side: a push delivers the run and the account says so.
        server.Forbidden = false;
        using var client = new MlflowRestClient(server.Uri, FastClient);
        var pushed = await new RunPusher(new FileStore(_root.Path), client).PushAllAsync();
        Assert.True(pushed.Delivery.Complete, pushed.Delivery.Summary);
        Assert.Equal(10, Assert.Single(server.Runs).Metrics.Count);
    }

    [Fact]
    public void The_account_says_how_many_runs_are_where_and_why()
    {
        var server = new Uri("http://mlflow:5000/");
        RunDelivery Run(int index, string? reason) => new($"r{index}", $"trial-{index}", reason is null, false, reason);
        var report = new DeliveryReport(server, "runs", [Run(1, null), Run(2, null), Run(3, null), Run(4, "the server was unreachable (refused)"), Run(5, "the server was unreachable (refused)")]);
        var mixed = report with { Runs = [Run(1, null), Run(2, "it is still running"), Run(3, "the server was unreachable (x)")] };

        Assert.Equal("3 of 5 runs are on http://mlflow:5000/; 2 are only in runs/: the server was unreachable (refused); `exp push runs` sends them.", report.Summary);
        Assert.Equal("1 of 3 runs are on http://mlflow:5000/; 2 are only in runs/: trial-2: it is still running; trial-3: the server was unreachable (x); `exp push runs` sends them.", mixed.Summary);
        Assert.Equal("All 2 runs are on http://mlflow:5000/.", (report with { Runs = [Run(1, null), Run(2, null)] }).Summary);
    }

    [Fact]
    public async Task Each_pass_sends_what_was_appended_since_the_last_and_a_resume_that_rewrote_the_files_is_still_sent_once()
    {
        string runId;
        await using var server = await MlflowStandInServer.StartNewAsync();
        using var client = new MlflowRestClient(server.Uri, FastClient);
        var store = new FileStore(_root.Path);
        var forwarder = new RunForwarder(store, client);
        await using (var tracker = Tracker.Open(new TrackingTarget(_root.Path, null)))
        {
            await using var run = tracker.StartRun(FileStore.DefaultExperimentId, new RunStart("long"));
            runId = run.Run.RunId;
            LogSteps(run, 1, 100);
            await run.FlushAsync();
            var first = await forwarder.SyncAsync(runId);
            LogSteps(run, 101, 130);
            await run.FlushAsync();
            var second = await forwarder.SyncAsync(runId);
            var third = await forwarder.SyncAsync(runId);

            Assert.Equal((100, 30, 0), (first.Metrics, second.Metrics, third.Metrics));
            // A resume from step 120 drops the values after it and logs them again.
            run.DeleteMetricsAfterStep(120);
            LogSteps(run, 121, 125);
            await run.EndAsync(RunStatus.Finished);
        }

        var afterResume = await forwarder.SyncAsync(runId);

        // MLflow cannot delete values: steps 121-130 stay on the server, and 121-125 arrive again once.
        Assert.Equal(5, afterResume.Metrics);
        var steps = Assert.Single(server.Runs).Metrics.Select(metric => metric.Step).ToList();
        Assert.Equal(Enumerable.Range(1, 130).Concat(Enumerable.Range(121, 5)).Select(step => (long)step), steps);
    }

    private static void LogSteps(IRunRecorder run, int first, int last)
    {
        for (var step = first; step <= last; step++)
        {
            run.LogMetrics(new Dictionary<string, double> { ["loss"] = 1.0 / step }, step);
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
