using System.Text.Json;
using Exp.Tracking.LocalStore;

namespace Exp.Tracking.Forwarding;

/// <summary>
/// The forwarding cursor of a run, kept in <c>&lt;run folder&gt;/.exp-forwarding.json</c>,
/// keyed by server address (without credentials). MLflow's file store reads only meta.yaml
/// and the metrics/params/tags/artifacts folders of a run, so it ignores this file; it
/// travels with the run when <c>runs/</c> is copied elsewhere, so pushing from the copy
/// still knows what already arrived. Changes happen under <c>.exp-forwarding.lock</c>.
/// </summary>
public sealed class ForwardingState
{
    private const string FileName = ".exp-forwarding.json";
    private const string LockFileName = ".exp-forwarding.lock";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(60);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public Dictionary<string, ServerRunState> Servers { get; set; } = new(StringComparer.Ordinal);

    public ServerRunState For(Uri server)
    {
        var key = server.AbsoluteUri;
        if (!Servers.TryGetValue(key, out var state))
        {
            state = new ServerRunState();
            Servers[key] = state;
        }
        return state;
    }

    internal static IDisposable Lock(string runDirectory) => FileLock.Acquire(Path.Combine(runDirectory, LockFileName), LockTimeout);

    public static ForwardingState Load(string runDirectory)
    {
        var path = Path.Combine(runDirectory, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize<ForwardingState>(File.ReadAllText(path), Json) ?? new ForwardingState() : new ForwardingState();
    }

    public void Save(string runDirectory) =>
        AtomicFile.WriteAllText(Path.Combine(runDirectory, FileName), JsonSerializer.Serialize(this, Json), runDirectory);

    /// <summary>Notes why a run did not reach a server, for the account a command gives at its end.</summary>
    internal static void RecordProblem(string runDirectory, Uri server, string problem, bool refused)
    {
        using var _ = Lock(runDirectory);
        var state = Load(runDirectory);
        var serverState = state.For(server);
        (serverState.Problem, serverState.Refused) = (problem, refused);
        state.Save(runDirectory);
    }

    /// <summary>
    /// Drops a run's metric values after a step and pulls every server's cursor back to
    /// the lines that remain, under the forwarding lock so a concurrent push cannot count
    /// lines that are being removed. Values already on a server stay there: MLflow's API
    /// cannot delete metric values.
    /// </summary>
    internal static void DeleteMetricsAfterStep(FileStore store, string runId, long lastStep)
    {
        var runDirectory = store.RunDirectory(runId);
        using var _ = Lock(runDirectory);
        var remaining = store.DeleteMetricsAfterStep(runId, lastStep);
        var state = Load(runDirectory);
        foreach (var server in state.Servers.Values)
        {
            foreach (var key in server.MetricLines.Keys.ToList())
            {
                server.MetricLines[key] = Math.Min(server.MetricLines[key], remaining.GetValueOrDefault(key));
            }
            // The files were rewritten: byte offsets no longer mean anything.
            server.MetricOffsets.Clear();
        }
        state.Save(runDirectory);
    }
}
