using Exp.Runner.Catalog;

namespace Exp.Cli.Commands;

/// <summary>The one trial run that `exp show` and `exp diff` are given: by trial id or its start, by name, or by run id.</summary>
internal static class TrialLookup
{
    /// <summary>The run named, or null with the reason printed: no match, or several runs that a prefix or a name does not tell apart.</summary>
    public static TrialRecord? Find(RunCatalog catalog, string wanted, string folder)
    {
        if (string.IsNullOrWhiteSpace(wanted))
        {
            Console.Error.WriteLine("error: name a trial: its id (or the start of it), its name, or its run id");
            return null;
        }
        var matches = catalog.FindTrials(wanted);
        if (matches.FirstOrDefault(m => m.RunId == wanted) is { } byRunId)
        {
            return byRunId;
        }
        switch (matches.Count)
        {
            case 0:
                Console.Error.WriteLine($"error: no trial '{wanted}' in {Path.GetFullPath(folder)}; `exp ls --runs {folder}` lists them");
                return null;
            case 1:
                return matches[0];
        }
        // Even one trial id can have several runs (the same config run in two experiments): each is a result of its own.
        var byTrial = matches.Select(m => m.TrialId).Distinct().Count() > 1;
        Console.Error.WriteLine($"error: '{wanted}' is ambiguous: it matches {matches.Count} runs; "
            + (byTrial ? "give more of the trial id, or a run id:" : "give the run id of one:"));
        foreach (var match in matches.OrderBy(m => m.StartedAt))
        {
            Console.Error.WriteLine($"  {match.TrialId}  {match.Name}  run {match.RunId} (experiment {match.ExperimentId}, started {match.StartedAt.LocalDateTime:yyyy-MM-dd HH:mm})");
        }
        return null;
    }
}
