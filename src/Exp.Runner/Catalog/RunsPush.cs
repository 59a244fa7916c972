using Exp.Tracking.Forwarding;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Rest;

namespace Exp.Runner.Catalog;

/// <summary>What `exp push` did: counts of what it sent, the runs it skipped as damaged, and what is on the server now.</summary>
public sealed record PushOutcome(int Runs, int Metrics, int Params, int Tags, int Artifacts, IReadOnlyList<string> Damage, ServerDelivery Delivery);

/// <summary>
/// Sends the runs of a local store to an MLflow server (`exp push`). Safe to repeat: runs
/// already there are not sent again, half-sent ones are completed.
/// </summary>
public static class RunsPush
{
    /// <summary>Why <paramref name="location"/> cannot be pushed (no server, no folder); null when it can.</summary>
    public static string? CannotPush(RunsLocation location) =>
        location.Server is null ? "exp push needs an http(s):// MLflow server: pass --tracking-uri URL or set MLFLOW_TRACKING_URI."
        : !Directory.Exists(location.LocalStore) ? $"There is no runs folder at '{location.LocalStore}'."
        : null;

    /// <param name="progress">Runs done, runs in all, and the run being sent; called on the pushing thread.</param>
    public static async Task<PushOutcome> PushAsync(RunsLocation location, Action<int, int, string> progress, CancellationToken cancellation)
    {
        var server = location.Server ?? throw new ArgumentException(CannotPush(location));
        using var client = new MlflowRestClient(server, MlflowClientOptions.FromEnvironment());
        var pusher = new RunPusher(new FileStore(location.LocalStore), client, location.LocalStore);
        var summary = await pusher.PushAllAsync(new InlineProgress(p => progress(p.RunsDone, p.RunsTotal, p.CurrentRunName)), cancellation);
        return new PushOutcome(summary.Runs, summary.Metrics, summary.Params, summary.Tags, summary.Artifacts, summary.Damage, ServerDelivery.From(summary.Delivery)!);
    }

    /// <summary>Reports on the caller's thread, so lines come out in order (<see cref="Progress{T}"/> posts them).</summary>
    private sealed class InlineProgress(Action<PushProgress> report) : IProgress<PushProgress>
    {
        public void Report(PushProgress value) => report(value);
    }
}
