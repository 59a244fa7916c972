using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking.Rest;

namespace Exp.Tracking.Forwarding;

/// <summary>
/// Sends every run of a local store to an MLflow server (<c>exp push</c>): for the
/// server-was-down case, and for <c>runs/</c> folders copied home from a cluster. Each
/// run's forwarding state makes this idempotent: a pushed run is not sent again, a
/// half-pushed one is completed. Parents go before their children. Runs no process is
/// writing are repaired first, so MLflow can read them too. A refused run does not stop the
/// others; a server that stays unreachable (after the client's retries) ends the push, and
/// the summary's <see cref="PushSummary.Delivery"/> says which runs are not there and why.
/// </summary>
public sealed class RunPusher(FileStore store, MlflowRestClient client, string? localDirectory = null)
{
    public async Task<PushSummary> PushAllAsync(IProgress<PushProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var runs = store.ListExperiments()
            .SelectMany(experiment => store.ListRuns(experiment.ExperimentId))
            .Select(run => (Run: run, IsChild: store.TryReadRun(() => store.GetTags(run.RunId).ContainsKey(MlflowTags.ParentRunId), out var isChild) ? isChild : (bool?)null))
            .Where(run => run.IsChild is not null)
            .OrderBy(run => run.IsChild)
            .ThenBy(run => run.Run.StartTime)
            .Select(run => run.Run)
            .ToList();
        var forwarder = new RunForwarder(store, client);
        var (metrics, parameters, tags, artifacts) = (0, 0, 0, 0);
        string? outage = null;
        var skipped = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < runs.Count && outage is null; index++)
        {
            var run = runs[index];
            progress?.Report(new PushProgress(index, runs.Count, run.RunName));
            store.RepairRunIfIdle(run.RunId);
            try
            {
                // Read it all before the server sees any of it: a damaged run must not arrive half.
                store.ReadWholeRun(run.RunId);
                var report = await forwarder.SyncAsync(run.RunId, cancellationToken);
                (metrics, parameters, tags, artifacts) = (metrics + report.Metrics, parameters + report.Params, tags + report.Tags, artifacts + report.Artifacts);
            }
            catch (DamagedRunException damage)
            {
                // The run cannot be read in full; the others go on.
                store.NoteDamage(damage);
                skipped.Add(run.RunId);
            }
            catch (Exception refused) when (refused is MlflowApiException { IsTransient: false } or MlflowResponseException)
            {
                // One refused run must not stop the others; the server's reason is kept for the account.
                forwarder.RecordProblem(run.RunId, MlflowRestClient.Describe(refused), refused: true);
            }
            catch (Exception unreachable) when (MlflowRestClient.IsTransient(unreachable) && !cancellationToken.IsCancellationRequested)
            {
                // The client already retried: the rest would only wait on the same failing server.
                outage = MlflowRestClient.Describe(unreachable);
                forwarder.RecordProblem(run.RunId, outage, refused: false);
            }
        }
        progress?.Report(new PushProgress(runs.Count, runs.Count, ""));
        var delivery = DeliveryCheck.Of(store, client.ServerUri, localDirectory ?? store.RootDirectory, runs.Select(run => run.RunId).Where(runId => !skipped.Contains(runId)));
        if (outage is not null)
        {
            // Runs never tried share the reason of the one that found the server down.
            delivery = delivery with
            {
                Runs = delivery.Runs.Select(run => run is { Delivered: false, Refused: false } && run.Reason!.StartsWith("not sent yet", StringComparison.Ordinal) ? run with { Reason = outage } : run).ToList(),
            };
        }
        return new PushSummary(runs.Count, metrics, parameters, tags, artifacts, delivery, store.Damage.Select(damage => damage.Warning).ToList());
    }
}
