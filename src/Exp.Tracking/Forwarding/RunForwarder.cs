using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking.Rest;

namespace Exp.Tracking.Forwarding;

/// <summary>
/// Brings one local run up to date on an MLflow server, sending only what the run's
/// <see cref="ForwardingState"/> says is missing and recording progress after every
/// request, so a pass can stop anywhere (crash, server down) and the next one completes it
/// without duplicates. The server run carries the tag <see cref="LocalRunIdTag"/>, so even
/// a run created just before a crash that lost its cursor is found again, not created twice.
/// A child's <c>mlflow.parentRunId</c> is translated to the parent's server run id.
/// </summary>
public sealed class RunForwarder(FileStore store, MlflowRestClient client)
{
    public const string LocalRunIdTag = "exp.localRunId";

    public Uri ServerUri => client.ServerUri;

    public async Task<ForwardReport> SyncAsync(string runId, CancellationToken cancellationToken = default)
    {
        var runDirectory = store.RunDirectory(runId);
        var (serverRunId, parentServerRunId) = await EnsureServerRunAsync(runId, cancellationToken);
        using var _ = ForwardingState.Lock(runDirectory);
        var state = ForwardingState.Load(runDirectory);
        var server = state.For(ServerUri);
        var run = store.GetRun(runId);

        var parameters = store.GetParams(runId)
            .Where(param => !server.Params.Contains(param.Key))
            .Select(param => new Param(param.Key, param.Value))
            .ToList();
        var tags = store.GetTags(runId)
            .Select(tag => tag.Key == MlflowTags.ParentRunId && parentServerRunId is not null ? new RunTag(tag.Key, parentServerRunId) : new RunTag(tag.Key, tag.Value))
            .Where(tag => server.Tags.GetValueOrDefault(tag.Key) != tag.Value)
            .ToList();
        var metrics = new List<Metric>();
        var readUpTo = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var key in store.GetMetricKeys(runId))
        {
            var tail = UnsentValues(runId, key, server);
            metrics.AddRange(tail.Values);
            readUpTo[key] = tail.EndOffset;
        }

        await client.LogBatchAsync(
            serverRunId,
            new LogBatch(metrics, parameters, tags),
            sent =>
            {
                server.Params.UnionWith(sent.Params.Select(param => param.Key));
                foreach (var tag in sent.Tags)
                {
                    server.Tags[tag.Key] = tag.Value;
                }
                foreach (var key in sent.Metrics.GroupBy(metric => metric.Key))
                {
                    server.MetricLines[key.Key] = server.MetricLines.GetValueOrDefault(key.Key) + key.Count();
                }
                state.Save(runDirectory);
            },
            cancellationToken);

        // Everything read was sent: the next pass starts where this one stopped reading.
        foreach (var (key, offset) in readUpTo)
        {
            server.MetricOffsets[key] = new MetricOffset(server.MetricLines.GetValueOrDefault(key), offset);
        }
        state.Save(runDirectory);

        var (artifacts, warning) = await SendArtifactsAsync(runId, server, state, runDirectory, cancellationToken);

        if (server.Problem != warning)
        {
            // What this pass could not send is why the run is not complete there; a clean pass clears it.
            (server.Problem, server.Refused) = (warning, warning is not null);
            state.Save(runDirectory);
        }

        var statusSent = false;
        if (run.Status != RunStatus.Running && (server.Status != run.Status || server.EndTime != run.EndTime))
        {
            await client.UpdateRunAsync(serverRunId, run.Status, run.EndTime, cancellationToken);
            (server.Status, server.EndTime, statusSent) = (run.Status, run.EndTime, true);
            state.Save(runDirectory);
        }
        return new ForwardReport(serverRunId, metrics.Count, parameters.Count, tags.Count, artifacts, statusSent, warning);
    }

    /// <summary>Notes why the run did not reach the server (it stays in the local store for <c>exp push</c>).</summary>
    public void RecordProblem(string runId, string problem, bool refused) =>
        ForwardingState.RecordProblem(store.RunDirectory(runId), ServerUri, problem, refused);

    /// <summary>
    /// The values of a metric not yet on the server: read from where the last pass stopped when
    /// its offset still matches the sent line count, else from the whole file past the sent lines.
    /// </summary>
    private MetricTail UnsentValues(string runId, string key, ServerRunState server)
    {
        var sent = server.MetricLines.GetValueOrDefault(key);
        if (server.MetricOffsets.TryGetValue(key, out var offset) && offset.Lines == sent
            && store.GetMetricHistoryAfter(runId, key, offset.Bytes) is { } appended)
        {
            return appended;
        }
        var whole = store.GetMetricHistoryAfter(runId, key, 0)!;
        return whole with { Values = whole.Values.Skip(sent).ToList() };
    }

    /// <summary>The server run ids of the run and of its parent (null without one), creating them if needed.</summary>
    private async Task<(string RunId, string? ParentRunId)> EnsureServerRunAsync(string runId, CancellationToken cancellationToken)
    {
        var localParent = store.GetTags(runId).GetValueOrDefault(MlflowTags.ParentRunId);
        string? parentServerRunId = null;
        if (localParent is not null && IsLocalRun(localParent))
        {
            parentServerRunId = (await EnsureServerRunAsync(localParent, cancellationToken)).RunId;
        }

        var runDirectory = store.RunDirectory(runId);
        using var _ = ForwardingState.Lock(runDirectory);
        var state = ForwardingState.Load(runDirectory);
        var server = state.For(ServerUri);
        if (server.RunId is not null)
        {
            return (server.RunId, parentServerRunId);
        }
        var run = store.GetRun(runId);
        var experimentTags = store.GetExperimentTags(run.ExperimentId).Select(tag => new RunTag(tag.Key, tag.Value)).ToList();
        var experimentId = await client.GetOrCreateExperimentAsync(store.GetExperiment(run.ExperimentId).Name, experimentTags, cancellationToken);
        var found = await client.SearchRunsAsync([experimentId], $"tags.`{LocalRunIdTag}` = '{runId}'", cancellationToken);
        if (found.Count > 0)
        {
            await RecoverCursorAsync(runId, found[0], server, cancellationToken);
        }
        var serverRun = found.Count > 0
            ? found[0].Info
            : await client.CreateRunAsync(experimentId, run.RunName, run.UserId, run.StartTime, [new RunTag(LocalRunIdTag, runId)], cancellationToken);
        (server.ExperimentId, server.RunId, server.ArtifactUri) = (experimentId, serverRun.RunId, serverRun.ArtifactUri);
        state.Save(runDirectory);
        return (serverRun.RunId, parentServerRunId);
    }

    /// <summary>
    /// Rebuilds a lost cursor from what the server already holds of the run (params, tags,
    /// and how many values of each metric), so nothing is sent twice. Artifacts are sent
    /// again; an upload replaces the same file.
    /// </summary>
    private async Task RecoverCursorAsync(string runId, MlflowRun serverRun, ServerRunState server, CancellationToken cancellationToken)
    {
        server.Params.UnionWith((serverRun.Data?.Params ?? []).Select(param => param.Key));
        foreach (var tag in serverRun.Data?.Tags ?? [])
        {
            server.Tags[tag.Key] = tag.Value;
        }
        foreach (var key in store.GetMetricKeys(runId))
        {
            server.MetricLines[key] = (await client.GetMetricHistoryAsync(serverRun.Info.RunId, key, cancellationToken)).Count;
        }
    }

    private async Task<(int Sent, string? Warning)> SendArtifactsAsync(
        string runId, ServerRunState server, ForwardingState state, string runDirectory, CancellationToken cancellationToken)
    {
        var artifactRoot = store.ArtifactDirectory(runId);
        var pending = store.ListArtifacts(runId)
            .Select(path => (Path: path, Size: new FileInfo(Path.Combine(artifactRoot, path)).Length))
            .Where(artifact => server.Artifacts.GetValueOrDefault(artifact.Path, -1) != artifact.Size)
            .ToList();
        if (pending.Count == 0)
        {
            return (0, null);
        }
        if (MlflowRestClient.ProxiedArtifactRoot(server.ArtifactUri ?? "") is null)
        {
            return (0, $"{pending.Count} artifact(s) of run {runId} were not sent: the server keeps artifacts at '{server.ArtifactUri}', which it does not serve through mlflow-artifacts.");
        }
        foreach (var (path, size) in pending)
        {
            await client.UploadArtifactAsync(server.ArtifactUri!, path, () => File.OpenRead(Path.Combine(artifactRoot, path)), cancellationToken);
            server.Artifacts[path] = size;
            state.Save(runDirectory);
        }
        return (pending.Count, null);
    }

    private bool IsLocalRun(string runId)
    {
        try
        {
            store.RunDirectory(runId);
            return true;
        }
        catch (Exception notLocal) when (notLocal is KeyNotFoundException or ArgumentException)
        {
            return false;
        }
    }
}
