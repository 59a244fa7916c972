using Exp.Tracking.Model;

namespace Exp.Tracking.Recording;

/// <summary>
/// What a running trial records. Every Log/Set call validates its keys (MLflow's rules, so
/// a bad key fails right here) and then only enqueues: a background writer appends to the
/// local store and, with a server configured, forwarding follows from there. No call waits
/// on the disk or the network except <see cref="FlushAsync"/> and <see cref="EndAsync"/>.
/// </summary>
public interface IRunRecorder : IAsyncDisposable
{
    /// <summary>The run as created in the local store (its id is the local run id).</summary>
    RunInfo Run { get; }

    void LogParams(IEnumerable<Param> parameters);

    void LogMetric(string key, double value, long step);

    void LogMetrics(IReadOnlyDictionary<string, double> values, long step);

    void SetTags(IEnumerable<RunTag> tags);

    /// <summary>Stores <paramref name="content"/> as the artifact at <paramref name="artifactPath"/> ('/'-separated, relative).</summary>
    void LogArtifact(string artifactPath, byte[] content);

    /// <summary>
    /// Logs a PNG image for a step the way <c>mlflow.log_image(image, key=..., step=...)</c>
    /// does, so MLflow's UI shows it over steps: the PNG, and beside it the WebP preview
    /// the UI's grid loads (<see cref="ImagePreview"/>).
    /// </summary>
    void LogImage(string key, long step, byte[] png);

    /// <summary>Drops metric values logged after <paramref name="lastStep"/> (resuming from that step's checkpoint).</summary>
    void DeleteMetricsAfterStep(long lastStep);

    /// <summary>Waits until everything enqueued so far is in the local store; throws if a write failed.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>Flushes, marks the run ended with <paramref name="status"/>, and gives forwarding a last chance.</summary>
    Task EndAsync(RunStatus status, CancellationToken cancellationToken = default);

    /// <summary>
    /// Flushes and lets go of the run without ending it: its status stays as it is, for the
    /// process that owns the run to set (a worker recording for a launcher, say).
    /// </summary>
    Task CloseAsync(CancellationToken cancellationToken = default);
}
