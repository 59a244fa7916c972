using Exp.Spec;

namespace Exp.Report.Model;

/// <summary>
/// The metrics the report knows (keys as the engine logs them), with their titles and units. Which way each one improves
/// is declared beside its name in Spec (<see cref="ReportMetric.Goal"/>): held-out bounds on log p(x) rise as a model gets better;
/// code lengths and errors fall; the KL, sigma and the active units are what a sweep trades, so none of them has a "best".
/// </summary>
public static class ReportMetrics
{
    public static readonly ReportMetric Elbo = new(Metrics.Elbo, "ELBO", "nats", "held-out unweighted ELBO per image");
    public static readonly ReportMetric BitsPerDim = new(Metrics.BitsPerDim, "bits/dim", "bits/dim", "code length of the 8-bit images under the discretised decoder, from the ELBO; uniform is 8");
    public static readonly ReportMetric Iwae = new(Metrics.Iwae, "IWAE", "nats", "importance-weighted bound on log p(x), proposal q(z|x)");
    public static readonly ReportMetric ElboSigmaStar = new(Metrics.ElboSigmaStar, "ELBO at σ*", "nats", "held-out ELBO at the best decoder noise");
    public static readonly ReportMetric TestElbo = new(Metrics.TestElbo, "test ELBO", "nats", "ELBO on the test split, once at the end");
    public static readonly ReportMetric TestBitsPerDim = new(Metrics.TestBitsPerDim, "test bits/dim", "bits/dim", "code length of the 8-bit test images under the discretised decoder, from the test IWAE; uniform is 8");
    public static readonly ReportMetric TestIwae = new(Metrics.TestIwae, "test IWAE", "nats", "IWAE on the test split");
    public static readonly ReportMetric Mse = new(Metrics.Mse, "recon. MSE", "per pixel", "reconstruction error of decoder(mu(x)), per pixel");
    public static readonly ReportMetric TestMse = new(Metrics.TestMse, "test MSE", "per pixel", "test-split reconstruction error");
    public static readonly ReportMetric Kl = new(Metrics.Kl, "KL", "nats", "KL(q(z|x) || p(z)) per image");
    public static readonly ReportMetric AggregateKl = new(Metrics.AggregateKl, "aggregate KL", "nats", "KL(q(z) || N(0, I)) of the mixture of the held-out posteriors, by sampling: how far samples of the prior are from codes of data");
    public static readonly ReportMetric ActiveUnits = new(Metrics.ActiveUnits, "active units", "", "latent dimensions the encoder uses");
    public static readonly ReportMetric Sigma = new(Metrics.Sigma, "σ", "", "decoder noise");
    public static readonly ReportMetric TrainLoss = new(Metrics.TrainLoss, "training loss", "nats", "the loss as optimised, with its weights");

    /// <summary>The epoch counter each trial logs beside its held-out metrics, at the same step.</summary>
    public const string Epoch = Metrics.Epoch;

    /// <summary>Trials are ranked by the held-out (validation) ELBO: the test split only reports, it never selects.</summary>
    public static ReportMetric Ranking => Elbo;

    /// <summary>The table's metric columns, in order; a column shows when any trial has the metric.</summary>
    public static readonly IReadOnlyList<ReportMetric> Table =
    [
        Elbo, BitsPerDim, Iwae, ElboSigmaStar, TestElbo, TestBitsPerDim, TestIwae, Mse, TestMse, Kl, ActiveUnits, AggregateKl, Sigma,
    ];

    /// <summary>The per-epoch curves, with all trials overlaid; a chart shows when any trial has the metric.</summary>
    public static readonly IReadOnlyList<ReportMetric> EpochCurves = [Elbo, Kl, Mse, Iwae, ActiveUnits, AggregateKl];

    /// <summary>The sampling temperature of the tempered sample grid, as a param.</summary>
    public const string SampleStdParam = "eval.sample_std";
}
