using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;

namespace Exp.Tracking.Forwarding;

/// <summary>
/// Compares local runs with what their forwarding state says reached a server: every
/// param, tag, metric value, artifact and the end status. It reads only the local store, so
/// it accounts for runs forwarded by any process (each trial forwards its own run).
/// </summary>
public static class DeliveryCheck
{
    public static DeliveryReport Of(FileStore store, Uri server, string localDirectory, IEnumerable<string> runIds) =>
        new(server, localDirectory, runIds.Distinct(StringComparer.Ordinal).Select(runId => Check(store, server, runId)).ToList());

    private static RunDelivery Check(FileStore store, Uri server, string runId)
    {
        RunInfo run;
        ServerRunState sent;
        try
        {
            run = store.GetRun(runId);
            sent = ForwardingState.Load(store.RunDirectory(runId)).For(server);
        }
        catch (Exception unreadable) when (unreadable is DamagedRunException or IOException or System.Text.Json.JsonException or KeyNotFoundException)
        {
            return new RunDelivery(runId, runId, false, false, $"it cannot be read ({unreadable.Message})");
        }
        if (!store.TryReadRun(() => Missing(store, run, sent), out var missing))
        {
            return new RunDelivery(runId, run.RunName, false, false, "a file of it is damaged (see the warning above)");
        }
        if (missing is null)
        {
            return new RunDelivery(runId, run.RunName, true, false, null);
        }
        var reason = sent.Problem
            ?? (run.Status == RunStatus.Running ? "it is still running" : $"not sent yet ({missing} missing)");
        return new RunDelivery(runId, run.RunName, false, sent.Refused, reason);
    }

    /// <summary>What of the run the server lacks, in words; null when it has everything.</summary>
    private static string? Missing(FileStore store, RunInfo run, ServerRunState sent)
    {
        if (sent.RunId is null)
        {
            return "the whole run";
        }
        var runId = run.RunId;
        var parts = new List<string>();
        var parameters = store.GetParams(runId).Keys.Count(key => !sent.Params.Contains(key));
        // The parent's id differs on the server; its presence is what counts.
        var tags = store.GetTags(runId).Count(tag => tag.Key == MlflowTags.ParentRunId
            ? !sent.Tags.ContainsKey(tag.Key)
            : sent.Tags.GetValueOrDefault(tag.Key) != tag.Value);
        var metrics = store.GetMetricKeys(runId).Sum(key => Math.Max(0, store.GetMetricHistory(runId, key).Count - sent.MetricLines.GetValueOrDefault(key)));
        var artifactRoot = store.ArtifactDirectory(runId);
        var artifacts = store.ListArtifacts(runId).Count(path => sent.Artifacts.GetValueOrDefault(path, -1) != new FileInfo(Path.Combine(artifactRoot, path)).Length);
        Add(parts, parameters, "param");
        Add(parts, tags, "tag");
        Add(parts, metrics, "metric value");
        Add(parts, artifacts, "artifact");
        if (run.Status == RunStatus.Running || sent.Status != run.Status || sent.EndTime != run.EndTime)
        {
            parts.Add("its end");
        }
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    private static void Add(List<string> parts, int count, string noun)
    {
        if (count > 0)
        {
            parts.Add($"{count} {noun}{(count == 1 ? "" : "s")}");
        }
    }
}
