using Exp.Tracking.Model;

namespace Exp.Tracking.Source;

/// <summary>The system tags MLflow's own clients set on a run, saying who ran what from where.</summary>
public static class SystemTags
{
    /// <summary>mlflow.user, mlflow.source.name, mlflow.source.type (LOCAL) and, in a git checkout, mlflow.source.git.commit.</summary>
    public static IReadOnlyList<RunTag> For(string sourceName, string workingDirectory, string userName)
    {
        var tags = new List<RunTag>
        {
            new(MlflowTags.User, userName),
            new(MlflowTags.SourceName, sourceName),
            new(MlflowTags.SourceType, "LOCAL"),
        };
        if (GitCommit.TryRead(workingDirectory) is { } commit)
        {
            tags.Add(new RunTag(MlflowTags.GitCommit, commit));
        }
        return tags;
    }
}
