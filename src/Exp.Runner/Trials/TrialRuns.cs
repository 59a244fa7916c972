using System.Text;
using Exp.Spec;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking.Sweep;

namespace Exp.Runner.Trials;

/// <summary>The MLflow run of a trial.</summary>
public static class TrialRuns
{
    /// <summary>
    /// Creates a trial's run: named after the trial, tagged with its id and MLflow's system
    /// tags, every resolved config value as a param under its dotted path, and the resolved
    /// config as an artifact.
    /// </summary>
    public static string Create(FileStore store, Plan plan, Trial trial, string experimentId, string? parentRunId, string workingDirectory)
    {
        var run = store.CreateRun(experimentId, new RunStart(trial.Name)
        {
            ParentRunId = parentRunId,
            Tags = [.. SweepRuns.SystemTags(plan.SpecPath, workingDirectory, Environment.UserName), new RunTag(TrialTags.TrialId, trial.Id)],
        });
        store.LogParams(run.RunId, trial.Params.Select(p => new Param(p.Key, p.Value)));
        store.WriteArtifact(run.RunId, "config.json", Encoding.UTF8.GetBytes(trial.ConfigJson));
        return run.RunId;
    }
}
