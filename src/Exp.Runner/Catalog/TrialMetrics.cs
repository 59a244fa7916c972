using Exp.Engine.Objective;

namespace Exp.Runner.Catalog;

/// <summary>The names of the metrics a trial reports that people compare trials by (declared by the engine).</summary>
public static class TrialMetrics
{
    public const string Elbo = Metrics.Elbo;
    public const string BitsPerDim = Metrics.BitsPerDim;
    public const string Iwae = Metrics.Iwae;
    public const string TestIwae = Metrics.TestIwae;
    public const string ActiveUnits = Metrics.ActiveUnits;
    public const string Kl = Metrics.Kl;
    public const string Sigma = Metrics.Sigma;
}
