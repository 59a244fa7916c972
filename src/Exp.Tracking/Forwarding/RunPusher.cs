using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking.Rest;

namespace Exp.Tracking.Forwarding;

/// <summary>
/// Sends every run of a local store to an MLflow server (<c>exp push</c>): for the
/// server-was-down case, and for <c>runs/</c> folders copied home from a cluster. Each
/// run's forwarding state makes this idempotent: a pushed run is not sent again, a
/// half-pushed one is completed. Parents go before their children. Runs no process is
/// writing are repaired first, so MLflow can read them too.
/// </summary>
public sealed class RunPusher(FileStore store, MlflowRestClient client)
{
    public async Task<PushSummary> PushAllAsync(IProgress<PushProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var runs = store.ListExperiments()
            .SelectMany(experiment => store.ListRuns(experiment.ExperimentId))
            .OrderBy(run => store.GetTags(run.RunId).ContainsKey(MlflowTags.ParentRunId))
            .ThenBy(run => run.StartTime)
            .ToList();
        var forwarder = new RunForwarder(store, client);
        var (metrics, parameters, tags, artifacts) = (0, 0, 0, 0);
        var problems = new List<string>();
        for (var index = 0; index < runs.Count; index++)
        {
            var run = runs[index];
            progress?.Report(new PushProgress(index, runs.Count, run.RunName));
            store.RepairRunIfIdle(run.RunId);
            try
            {
                var report = await forwarder.SyncAsync(run.RunId, cancellationToken);
                (metrics, parameters, tags, artifacts) = (metrics + report.Metrics, parameters + report.Params, tags + report.Tags, artifacts + report.Artifacts);
                if (report.Warning is not null)
                {
                    problems.Add(report.Warning);
                }
            }
            catch (MlflowApiException refused) when (!refused.IsTransient)
            {
                // One refused run must not stop the others; the server's reason is kept for the user.
                problems.Add($"Run {run.RunName} ({run.RunId}): {refused.Message}");
            }
        }
        progress?.Report(new PushProgress(runs.Count, runs.Count, ""));
        return new PushSummary(runs.Count, metrics, parameters, tags, artifacts, problems);
    }
}
