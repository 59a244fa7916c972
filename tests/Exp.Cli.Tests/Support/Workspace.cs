using Exp.Catalog;
using Exp.Runner.Catalog;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;

namespace Exp.Cli.Tests.Support;

/// <summary>A scratch folder for one test, with its spec and its runs/ store.</summary>
public sealed class Workspace : IDisposable
{
    public Workspace()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("exp-cli-").FullName;
    }

    public string Directory { get; }

    public string Runs => Path.Combine(Directory, "runs");

    public string WriteSpec(string yaml, string name = "spec.yaml")
    {
        File.WriteAllText(Path.Combine(Directory, name), yaml);
        return name;
    }

    public FileStore Store => new(Runs);

    public RunCatalog Catalog => new(Store);

    public string ExperimentId(string name) =>
        Store.GetExperimentByName(name)?.ExperimentId ?? throw new InvalidOperationException($"no experiment {name} in {Runs}");

    public IReadOnlyList<TrialRecord> Trials(string experiment) => Catalog.Trials(ExperimentId(experiment));

    public IReadOnlyList<Metric> History(TrialRecord trial, string key) => Store.GetMetricHistory(trial.Run.RunId, key);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A process the test killed may still be letting go of a file; the folder is in /tmp.
        }
    }
}
