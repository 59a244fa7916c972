using Exp.Catalog;
using Exp.Tracking.Model;

namespace Exp.Report.Reading;

/// <summary>What `exp report` was asked for: a sweep, an experiment, or one trial's run.</summary>
public abstract record ReportTarget(RunCatalog Catalog)
{
    public sealed record OfSweep(RunCatalog Catalog, SweepRecord Sweep) : ReportTarget(Catalog);

    public sealed record OfExperiment(RunCatalog Catalog, ExperimentInfo Experiment) : ReportTarget(Catalog);

    public sealed record OfTrial(RunCatalog Catalog, TrialRecord Trial) : ReportTarget(Catalog);

    public Model.ReportSource Read(TimeProvider? clock = null)
    {
        var reader = new ReportReader(Catalog, clock);
        return this switch
        {
            OfSweep s => reader.Sweep(s.Sweep),
            OfExperiment e => reader.Experiment(e.Experiment),
            OfTrial t => reader.SingleTrial(t.Trial),
            _ => throw new InvalidOperationException(GetType().Name),
        };
    }

    /// <summary>A name for the report file: the sweep's, experiment's or trial's, safe in a path.</summary>
    public string FileStem => string.Concat((this switch
    {
        OfSweep s => s.Sweep.Run.RunName,
        OfExperiment e => e.Experiment.Name,
        OfTrial t => t.Trial.Name,
        _ => "report",
    }).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '=' ? c : '_'));
}
