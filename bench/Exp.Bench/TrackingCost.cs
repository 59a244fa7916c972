using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Exp.Testing;
using Exp.Tracking;
using Exp.Tracking.Forwarding;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking.Recording;
using Exp.Tracking.Rest;

namespace Exp.Bench;

/// <summary>
/// What logging costs, per metric value (BenchmarkDotNet, in this process): the call a training
/// loop makes, and the whole way of 1,000 values to the local store, or on to the MLflow stand-in
/// server through write-ahead forwarding.
/// </summary>
public class MetricLogging
{
    public const int Values = 1_000;

    private MlflowStandInServer? server;
    private string root = "";
    private Tracker? tracker;
    private IRunRecorder? run;

    [Params("local", "rest")]
    public string Store { get; set; } = "local";

    [GlobalSetup]
    public void StartServer()
    {
        root = Directory.CreateTempSubdirectory("exp-bench-logging-").FullName;
        if (Store == "rest")
            server = MlflowStandInServer.StartNewAsync().GetAwaiter().GetResult();
    }

    [IterationSetup]
    public void StartRun()
    {
        var options = new TrackerOptions { ForwardInterval = TimeSpan.FromMilliseconds(1), Client = new MlflowClientOptions() };
        tracker = Tracker.Open(new TrackingTarget(root, server?.Uri), options: options);
        run = tracker.StartRun(FileStore.DefaultExperimentId, new RunStart("logging"));
    }

    /// <summary>What the training thread pays: the call returns once the value is queued.</summary>
    [Benchmark(OperationsPerInvoke = Values)]
    public void Call()
    {
        for (var step = 0; step < Values; step++)
            run!.LogMetric("train/loss", 1.0 / (step + 1), step);
    }

    /// <summary>Log, then end the run: every value is in the store (and, with a server, on the server).</summary>
    [Benchmark(OperationsPerInvoke = Values)]
    public void Stored()
    {
        Call();
        run!.EndAsync(RunStatus.Finished).GetAwaiter().GetResult();
    }

    [IterationCleanup]
    public void EndRun()
    {
        run!.EndAsync(RunStatus.Finished).GetAwaiter().GetResult();
        tracker!.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void StopServer()
    {
        server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(root, recursive: true);
    }
}

public static class TrackingCost
{
    public sealed record Logging(double CallMicroseconds, double LocalMicroseconds, double RestMicroseconds);

    public static Logging MeasureLogging(BenchContext context)
    {
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(2)
            .WithIterationCount(Math.Max(context.Rounds, 5) * 3)
            .WithInvocationCount(1)
            .WithUnrollFactor(1);
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddLogger(NullLogger.Instance)
            .WithArtifactsPath(context.NewRunFolder("benchmarkdotnet"));
        var summary = BenchmarkRunner.Run<MetricLogging>(config);
        if (summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success))
            throw new InvalidOperationException("BenchmarkDotNet failed: " + string.Join("; ", summary.ValidationErrors.Select(e => e.Message)));

        double Median(string method, string store) => summary.Reports
            .Single(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method && (string)r.BenchmarkCase.Parameters["Store"] == store)
            .ResultStatistics!.Median / 1000.0;
        return new Logging(Median(nameof(MetricLogging.Call), "local"), Median(nameof(MetricLogging.Stored), "local"),
            Median(nameof(MetricLogging.Stored), "rest"));
    }

    public sealed record Forwarding(double FullSeconds, double AppendedPassMs, double WholeHistoryPassMs);

    /// <summary>
    /// A run with 100,000 values of train/loss, forwarded to a fresh stand-in server, then 100
    /// values more: a pass that reads only what was appended, against one that reads the whole
    /// history again (the cursor's byte offsets dropped), side by side each round.
    /// </summary>
    public static async Task<Forwarding> MeasureForwardingAsync(BenchContext context, Action<string> progress)
    {
        const int values = 100_000;
        const int appended = 100;
        var store = new FileStore(context.NewRunFolder("forwarding"));
        var runId = store.CreateRun(FileStore.DefaultExperimentId, new RunStart("100k")).RunId;
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        store.LogMetrics(runId, Enumerable.Range(1, values).Select(step => new Metric("train/loss", 1.0 / step, start + step, step)));
        var runDirectory = store.RunDirectory(runId);
        long next = values;

        var full = new List<double>();
        var appendedPass = new List<double>();
        var wholePass = new List<double>();
        for (var round = 0; round < context.Rounds; round++)
        {
            await using var server = await MlflowStandInServer.StartNewAsync();
            using var client = new MlflowRestClient(server.Uri, new MlflowClientOptions());
            File.Delete(Path.Combine(runDirectory, ".exp-forwarding.json"));
            var forwarder = new RunForwarder(store, client);
            full.Add(await TimeAsync(() => forwarder.SyncAsync(runId)));

            foreach (var wholeHistory in Statistics.Rotated([false, true], round))
            {
                store.LogMetrics(runId, Enumerable.Range(1, appended).Select(i => new Metric("train/loss", 0.5, start + next + i, next + i)));
                next += appended;
                if (wholeHistory)
                {
                    var state = ForwardingState.Load(runDirectory);
                    state.For(server.Uri).MetricOffsets.Clear();
                    state.Save(runDirectory);
                }
                var milliseconds = await TimeAsync(() => forwarder.SyncAsync(runId)) * 1000;
                (wholeHistory ? wholePass : appendedPass).Add(milliseconds);
            }
            progress(BenchContext.Invariant($"forwarding round {round + 1}/{context.Rounds}: 100k values in {full[^1]:F2} s; a pass after 100 more: {appendedPass[^1]:F1} ms (appended only), {wholePass[^1]:F1} ms (whole history)"));
        }
        return new Forwarding(Statistics.Median(full), Statistics.Median(appendedPass), Statistics.Median(wholePass));
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed.TotalSeconds;
    }
}
