using Exp.Tracking.Forwarding;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking;
using Exp.Tracking.Recording;
using Exp.Tracking.Rest;

namespace Exp.Tracking;

/// <summary>
/// The entry point of tracking: opens the local store of a <see cref="TrackingTarget"/>
/// and, when it names a server, forwards every run written through it to that server in
/// the background (write-ahead: the local store first, the server from there).
/// </summary>
public sealed class Tracker : IAsyncDisposable
{
    private readonly TrackerOptions _options;
    private readonly MlflowRestClient? _client;
    private readonly BackgroundForwarder? _forwarder;

    private readonly string _localDirectory;

    private Tracker(TrackingTarget target, ITrackingLog log, TrackerOptions options)
    {
        _options = options;
        _localDirectory = target.LocalDirectory;
        Store = new FileStore(target.LocalDirectory, options.Clock);
        if (target.ServerUri is { } server)
        {
            _client = new MlflowRestClient(server, options.Client ?? MlflowClientOptions.FromEnvironment());
            _forwarder = new BackgroundForwarder(new RunForwarder(Store, _client), log, options, Store.RootDirectory);
        }
    }

    public FileStore Store { get; }

    public static Tracker Open(TrackingTarget target, ITrackingLog? log = null, TrackerOptions? options = null) =>
        new(target, log ?? SilentTrackingLog.Instance, options ?? new TrackerOptions());

    public ExperimentInfo GetOrCreateExperiment(string name) => Store.GetOrCreateExperiment(name);

    public IRunRecorder StartRun(string experimentId, RunStart start)
    {
        var run = Store.CreateRun(experimentId, start);
        return OpenRecorder(run, TakeWriterLock(run.RunId));
    }

    /// <summary>
    /// Reopens a run to log more (a trial resumed after a crash): repairs partial metric
    /// lines the crash left and marks the run RUNNING again. Throws if another process is
    /// still writing the run.
    /// </summary>
    public IRunRecorder ResumeRun(string runId)
    {
        var writerLock = TakeWriterLock(runId);
        Store.RepairRun(runId);
        Store.UpdateRun(runId, RunStatus.Running, null);
        return OpenRecorder(Store.GetRun(runId), writerLock);
    }

    /// <summary>
    /// Opens a run to log more without touching its status: for a process that records into
    /// a run another one owns (it repairs partial lines a crash left first). Throws if
    /// another process is writing the run.
    /// </summary>
    public IRunRecorder RecordInto(string runId)
    {
        var writerLock = TakeWriterLock(runId);
        Store.RepairRun(runId);
        return OpenRecorder(Store.GetRun(runId), writerLock);
    }

    /// <summary>
    /// What of these runs reached the server and what did not (and why), from the local store
    /// and the runs' forwarding state, whichever process forwarded them; null without a server.
    /// Ask after the runs ended: ending waits for the last pass.
    /// </summary>
    public DeliveryReport? Delivery(IEnumerable<string> runIds) =>
        _client is null ? null : DeliveryCheck.Of(Store, _client.ServerUri, _localDirectory, runIds);

    public async ValueTask DisposeAsync()
    {
        if (_forwarder is not null)
        {
            await _forwarder.DisposeAsync();
        }
        _client?.Dispose();
    }

    private RunRecorder OpenRecorder(RunInfo run, IDisposable writerLock) =>
        new(
            Store,
            run,
            _options.Clock,
            runId => _forwarder?.MarkPending(runId),
            async (runId, cancellationToken) =>
            {
                writerLock.Dispose();
                if (_forwarder is not null)
                {
                    await _forwarder.CompleteRunAsync(runId, cancellationToken);
                }
            },
            ForwardingState.DeleteMetricsAfterStep);

    private IDisposable TakeWriterLock(string runId) =>
        Store.TryLockRunForWriting(runId) ?? throw new InvalidOperationException($"Run {runId} is being written by another process.");
}
