using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;

namespace Exp.Tracking.Recording;

/// <summary>
/// The <see cref="IRunRecorder"/> of one run: calls enqueue into an unbounded channel and a
/// single background task applies them to the <see cref="FileStore"/> in order, so the
/// trainer never waits on a write. After each drained batch it tells the forwarder (if any)
/// that the run has news.
/// </summary>
public sealed partial class RunRecorder : IRunRecorder
{
    private readonly FileStore _store;
    private readonly TimeProvider _clock;
    private readonly Action<string> _written;
    private readonly Func<string, CancellationToken, Task> _ended;
    private readonly Action<FileStore, string, long> _dropStepsAfter;
    private readonly Channel<RecordOperation> _queue = Channel.CreateUnbounded<RecordOperation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, string> _loggedParams;
    private readonly Lock _paramsLock = new();
    private readonly ConcurrentDictionary<string, bool> _validMetricKeys = new(StringComparer.Ordinal);
    private readonly Task _writer;
    private Exception? _writeFailure;
    private int _endRequested;

    /// <param name="dropStepsAfter">How metric values after a step are dropped (the tracker keeps forwarding's positions right).</param>
    internal RunRecorder(
        FileStore store, RunInfo run, TimeProvider clock, Action<string> written, Func<string, CancellationToken, Task> ended, Action<FileStore, string, long> dropStepsAfter)
    {
        _dropStepsAfter = dropStepsAfter;
        _store = store;
        _clock = clock;
        _written = written;
        _ended = ended;
        Run = run;
        _loggedParams = new Dictionary<string, string>(store.GetParams(run.RunId), StringComparer.Ordinal);
        _writer = Task.Run(WriteLoopAsync);
    }

    public RunInfo Run { get; private set; }

    public void LogParams(IEnumerable<Param> parameters)
    {
        var values = parameters.ToList();
        lock (_paramsLock)
        {
            // Checked here rather than in the writer so the caller hears of a changed param at once.
            foreach (var param in values)
            {
                TrackingKeys.ValidateParam(param.Key, param.Value);
                if (_loggedParams.TryGetValue(param.Key, out var logged) && logged != param.Value)
                {
                    throw new InvalidOperationException(
                        $"Changing param values is not allowed: '{param.Key}' was logged as '{logged}', now '{param.Value}'.");
                }
            }
            foreach (var param in values)
            {
                _loggedParams[param.Key] = param.Value;
            }
        }
        Enqueue(new RecordOperation.Params(values));
    }

    /// <summary>The hot path of a training loop: one value, no collections, its key checked only the first time.</summary>
    public void LogMetric(string key, double value, long step)
    {
        ValidateMetricKey(key);
        Enqueue(new RecordOperation.OneMetric(new Metric(key, value, _clock.GetUtcNow().ToUnixTimeMilliseconds(), step)));
    }

    public void LogMetrics(IReadOnlyDictionary<string, double> values, long step)
    {
        var timestamp = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        var metrics = new List<Metric>(values.Count);
        foreach (var (key, value) in values)
        {
            ValidateMetricKey(key);
            metrics.Add(new Metric(key, value, timestamp, step));
        }
        Enqueue(new RecordOperation.Metrics(metrics));
    }

    public void SetTags(IEnumerable<RunTag> tags)
    {
        var values = tags.ToList();
        foreach (var tag in values)
        {
            TrackingKeys.ValidateTag(tag.Key, tag.Value);
        }
        Enqueue(new RecordOperation.Tags(values));
    }

    public void LogArtifact(string artifactPath, byte[] content) =>
        Enqueue(new RecordOperation.ArtifactBytes(artifactPath, content));

    public void LogImage(string key, long step, byte[] png)
    {
        if (!ImageKey().IsMatch(key))
        {
            throw new ArgumentException(
                $"Invalid image key '{key}': MLflow allows only alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).");
        }
        var (full, preview) = ImageArtifactNames.For(key, step, _clock.GetUtcNow().ToUnixTimeMilliseconds());
        Enqueue(new RecordOperation.ArtifactBytes(full, png));
        Enqueue(new RecordOperation.ArtifactBytes(preview, ImagePreview.Of(png)));
        Enqueue(new RecordOperation.Tags([new RunTag(MlflowTags.LoggedImages, "True")]));
    }

    public void DeleteMetricsAfterStep(long lastStep) => Enqueue(new RecordOperation.DropStepsAfter(lastStep, _dropStepsAfter));

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var barrier = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(new RecordOperation.Barrier(barrier));
        await barrier.Task.WaitAsync(cancellationToken);
        ThrowIfWriteFailed();
    }

    public Task EndAsync(RunStatus status, CancellationToken cancellationToken = default) => FinishAsync(status, cancellationToken);

    public Task CloseAsync(CancellationToken cancellationToken = default) => FinishAsync(null, cancellationToken);

    /// <param name="status">The run's end status; null leaves its status to whoever owns the run.</param>
    private async Task FinishAsync(RunStatus? status, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _endRequested, 1) == 1)
        {
            return;
        }
        IOException? writeFailed = null;
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (IOException failure)
        {
            writeFailed = failure;
        }
        _queue.Writer.Complete();
        await _writer;
        // A run whose last writes failed (a full disk, say) still ends: its status is what a user
        // and MLflow read first, and a run left RUNNING would claim a process that is gone.
        if (status is { } ended)
        {
            _store.UpdateRun(Run.RunId, ended, _clock.GetUtcNow().ToUnixTimeMilliseconds());
        }
        Run = _store.GetRun(Run.RunId);
        await _ended(Run.RunId, cancellationToken);
        if (writeFailed is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(writeFailed);
        }
    }

    /// <summary>A run disposed without <see cref="EndAsync"/> or <see cref="CloseAsync"/> ended abnormally: it is marked KILLED.</summary>
    public async ValueTask DisposeAsync() => await EndAsync(RunStatus.Killed);

    private void Enqueue(RecordOperation operation)
    {
        ThrowIfWriteFailed();
        if (!_queue.Writer.TryWrite(operation))
        {
            throw new InvalidOperationException($"Run '{Run.RunName}' has ended; nothing more can be logged to it.");
        }
    }

    private void ThrowIfWriteFailed()
    {
        if (_writeFailure is { } failure)
        {
            throw new IOException($"Writing run '{Run.RunName}' to {_store.RootDirectory} failed: {failure.Message}", failure);
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        // Metric values that arrive together are appended together: one write per metric file
        // and drain rather than one per value, in their order, before any operation after them.
        var metrics = new List<Metric>();
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var operation))
            {
                switch (operation)
                {
                    case RecordOperation.OneMetric one:
                        metrics.Add(one.Value);
                        continue;
                    case RecordOperation.Metrics many:
                        metrics.AddRange(many.Values);
                        continue;
                }
                WriteMetrics(metrics);
                Apply(operation);
            }
            WriteMetrics(metrics);
            _written(Run.RunId);
        }
    }

    private void WriteMetrics(List<Metric> metrics)
    {
        if (metrics.Count > 0)
        {
            Apply(new RecordOperation.Metrics(metrics.ToList()));
            metrics.Clear();
        }
    }

    private void Apply(RecordOperation operation)
    {
        try
        {
            if (_writeFailure is null || operation is RecordOperation.Barrier)
            {
                operation.Apply(_store, Run.RunId);
            }
        }
        catch (Exception failure)
        {
            // The first failure is kept and surfaces on the next call; later writes are skipped
            // so that the store never holds a run with a gap in the middle.
            _writeFailure ??= failure;
        }
    }

    /// <summary>MLflow's key rules, checked once per key and run; the store trusts keys that come through here.</summary>
    private void ValidateMetricKey(string key)
    {
        if (_validMetricKeys.ContainsKey(key))
        {
            return;
        }
        TrackingKeys.Validate("metric", key);
        _validMetricKeys.TryAdd(key, true);
    }

    [GeneratedRegex(@"^[a-zA-Z0-9_\-./ ]+$")]
    private static partial Regex ImageKey();
}
