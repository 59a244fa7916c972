using Exp.Spec;

namespace Exp.Report.Model;

/// <summary>How one swept parameter was sampled, as its spec says: it decides the parameter's axes and its importance's grid.</summary>
/// <param name="Low">The range's ends for a numeric distribution; unused for a choice.</param>
public sealed record Sampling(ParameterKind Kind, double Low, double High, IReadOnlyList<string> Choices)
{
    public bool Log => Kind == ParameterKind.LogUniform;
}

/// <summary>
/// What a sweep's spec says about its search, read back through the spec's own decoder: the method, the metric it
/// optimises and which way, each sampled parameter's distribution, and the scheduler's rungs.
/// </summary>
/// <param name="Method">grid | random | list | tpe | none, as the plan names it.</param>
/// <param name="Sampled">Sampled parameters (random and tpe) by their dotted path; empty for grids and lists.</param>
/// <param name="Rungs">The epochs an ASHA scheduler compares trials at; empty without a scheduler.</param>
public sealed record SearchDesign(string Method, string Metric, bool Maximize, IReadOnlyDictionary<string, Sampling> Sampled, IReadOnlyList<int> Rungs)
{
    /// <summary>A page with no spec behind it (an experiment's trials): trials are compared by the held-out ELBO.</summary>
    public static readonly SearchDesign Unknown = new("none", ReportMetrics.Ranking.Key, true, new Dictionary<string, Sampling>(), []);

    /// <summary>Random and TPE draw their points: they have no order along a parameter, and a history in the order they ran.</summary>
    public bool DrawsAtRandom => Method is "random" or "tpe";

    /// <summary>The design of the sweep whose spec is <paramref name="specText"/>; <see cref="Unknown"/> when there is none or it no longer reads.</summary>
    public static SearchDesign Of(string? specText)
    {
        if (specText is null)
        {
            return Unknown;
        }
        LoadResult loaded;
        try
        {
            loaded = Specs.Parse(specText, "spec.yaml");
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException or FormatException)
        {
            return Unknown;
        }
        if (!loaded.Succeeded)
        {
            // A spec that no longer reads (written by an older exp) still has its trials: they are shown without its design.
            return Unknown;
        }
        var plan = loaded.Plan;
        var sampled = plan.Sampled.ToDictionary(p => p.Path, p => new Sampling(p.Kind, p.Low, p.High, p.Choices));
        return new SearchDesign(
            plan.SweepMethod,
            plan.Objective.Metric,
            plan.Objective.Goal == Goal.Maximize,
            sampled,
            plan.Scheduler.Kind == SchedulerKind.Asha ? plan.Scheduler.Rungs : []);
    }
}
