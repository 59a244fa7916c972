using System.Collections.Concurrent;
using Exp.Tracking;
using Exp.Tracking.Rest;

namespace Exp.Tracking.Forwarding;

/// <summary>
/// Forwards the runs of this process from the local store to the server in the background
/// (write-ahead: the store already holds everything). Runs with news are synced at most
/// once per <see cref="TrackerOptions.ForwardInterval"/>. While the server is unreachable
/// the loop says so once, backs off, and keeps the runs pending; when the server answers
/// again it says so and catches up. A run the server refuses (a 4xx) is reported once and
/// left for <c>exp push</c>.
/// </summary>
internal sealed class BackgroundForwarder : IAsyncDisposable
{
    private readonly RunForwarder _forwarder;
    private readonly ITrackingLog _log;
    private readonly TrackerOptions _options;
    private readonly string _localRoot;
    private readonly ConcurrentDictionary<string, bool> _pending = new(StringComparer.Ordinal);
    /// <summary>Ended runs waiting for their last pass; the result is why they did not arrive, or null when they did.</summary>
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string?>> _endings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _refused = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _doorbell = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Lock _recording = new();
    private bool _unreachable;
    private string _outage = "";

    public BackgroundForwarder(RunForwarder forwarder, ITrackingLog log, TrackerOptions options, string localRoot)
    {
        _forwarder = forwarder;
        _log = log;
        _options = options;
        _localRoot = localRoot;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Notes that a run has news to forward.</summary>
    public void MarkPending(string runId)
    {
        if (_refused.ContainsKey(runId))
        {
            return;
        }
        _pending[runId] = true;
        _doorbell.Release();
    }

    /// <summary>
    /// Waits (up to <see cref="TrackerOptions.FinalSyncTimeout"/>) until the ended run has
    /// been forwarded completely, or a pass after its end found the server unreachable (after
    /// the client's retries): then waiting longer would only delay the user. A run that did
    /// not arrive stays pending while this process lives; the reason is kept in its forwarding
    /// state, and the user is told that <c>exp push</c> completes it.
    /// </summary>
    public async Task CompleteRunAsync(string runId, CancellationToken cancellationToken)
    {
        if (_refused.ContainsKey(runId))
        {
            return;
        }
        var done = _endings.GetOrAdd(runId, _ => new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously));
        MarkPending(runId);
        string? problem;
        try
        {
            problem = await done.Task.WaitAsync(_options.FinalSyncTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            problem = $"it did not arrive within {_options.FinalSyncTimeout.TotalSeconds:0.#} s{(_unreachable ? $": {_outage}" : "")}";
        }
        lock (_recording)
        {
            // A refusal that came in meanwhile (the wait timed out during the pass) is the truer reason.
            if (problem is null || _refused.ContainsKey(runId))
            {
                return;
            }
            _forwarder.RecordProblem(runId, problem, refused: false);
        }
        _log.Warning(
            $"Run {runId} is complete in {_localRoot} but not on the MLflow server {_forwarder.ServerUri}: {problem}; "
            + $"run 'exp push {_localRoot}' to send the rest.");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopping is the expected end of the loop.
        }
        _stop.Dispose();
        _doorbell.Dispose();
    }

    private async Task LoopAsync()
    {
        var backoff = _options.ForwardInterval;
        while (!_stop.IsCancellationRequested)
        {
            await _doorbell.WaitAsync(_unreachable ? backoff : Timeout.InfiniteTimeSpan, _stop.Token);
            // Gather what arrives meanwhile into one pass rather than one request per step.
            await Task.Delay(_options.ForwardInterval, _stop.Token);
            while (_doorbell.CurrentCount > 0)
            {
                await _doorbell.WaitAsync(_stop.Token);
            }

            // Runs that ended before this pass began: if it finds the server unreachable, their wait is over.
            var endedBefore = _endings.ToArray();
            foreach (var runId in _pending.Keys)
            {
                _pending.TryRemove(runId, out _);
                if (!await TrySyncAsync(runId))
                {
                    _pending[runId] = true;
                    foreach (var ended in endedBefore)
                    {
                        if (_endings.TryRemove(ended))
                        {
                            ended.Value.TrySetResult(_outage);
                        }
                    }
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxOutageBackoff.Ticks));
                    break;
                }
                backoff = _options.ForwardInterval;
            }
        }
    }

    /// <summary>One pass of one run; false when the server is unreachable and the run must wait.</summary>
    private async Task<bool> TrySyncAsync(string runId)
    {
        // Only a pass that starts after the run ended can complete its ending: an earlier one
        // may have read the run before its last values were written.
        _endings.TryGetValue(runId, out var ending);
        try
        {
            var report = await _forwarder.SyncAsync(runId, _stop.Token);
            if (_unreachable)
            {
                _unreachable = false;
                _log.Info($"The MLflow server {_forwarder.ServerUri} answers again; forwarding caught up.");
            }
            if (report.Warning is not null)
            {
                _log.Warning(report.Warning);
            }
            if (ending is not null && _endings.TryRemove(new KeyValuePair<string, TaskCompletionSource<string?>>(runId, ending)))
            {
                ending.TrySetResult(null);
            }
            return true;
        }
        catch (Exception failure) when (MlflowRestClient.IsTransient(failure) && !_stop.IsCancellationRequested)
        {
            _outage = MlflowRestClient.Describe(failure);
            if (!_unreachable)
            {
                _unreachable = true;
                _log.Warning(
                    $"Cannot forward to the MLflow server {_forwarder.ServerUri}: {_outage}. Training goes on; "
                    + $"everything is kept in {_localRoot} and will be sent when the server is back (or with 'exp push').");
            }
            return false;
        }
        catch (Exception refused) when (!_stop.IsCancellationRequested)
        {
            lock (_recording)
            {
                _refused[runId] = true;
                _forwarder.RecordProblem(runId, MlflowRestClient.Describe(refused), refused: true);
            }
            _log.Warning($"The MLflow server {_forwarder.ServerUri} refused run {runId}: {refused.Message} It stays in {_localRoot}; fix the cause and run 'exp push'.");
            if (_endings.TryRemove(runId, out var done))
            {
                done.TrySetResult(null);
            }
            return true;
        }
    }
}
