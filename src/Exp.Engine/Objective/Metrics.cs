namespace Exp.Engine.Objective;

/// <summary>
/// Names of the metrics the engine reports, each declared with which way is better
/// (<see cref="GoalAttribute"/>), so that no reader guesses it from the name.
/// </summary>
public static partial class Metrics
{
    /// <summary>The training loss as optimised (weighted), nats per image.</summary>
    [Goal(MetricGoal.Lower)]
    public const string TrainLoss = "train/loss";

    /// <summary>Held-out E_q[log p(x|z)], one sample per image, nats per image.</summary>
    [Goal(MetricGoal.Higher)]
    public const string ReconLogLikelihood = "eval/recon_log_likelihood";

    /// <summary>Held-out KL(q(z|x) || p(z)), nats per image. Traded against reconstruction, not ranked: the lowest KL is a posterior that says nothing about its image.</summary>
    [Goal(MetricGoal.None)]
    public const string Kl = "eval/kl";

    /// <summary>Held-out unweighted ELBO, nats per image (higher is better).</summary>
    [Goal(MetricGoal.Higher)]
    public const string Elbo = "eval/elbo";

    /// <summary>
    /// The code length of the 8-bit images, -log2 P(x) / D with P the discretised Gaussian decoder
    /// (<see cref="Gaussian.DiscretisedLogLikelihood"/>), bounded by its ELBO: bits per dimension, always
    /// positive; a uniform guess is 8 (lower is better).
    /// </summary>
    [Goal(MetricGoal.Lower)]
    public const string BitsPerDim = "eval/bits_per_dim";

    /// <summary>-ELBO / D of the continuous density on [0, 1]^D: nats per dimension of a density, negative when the density exceeds 1 (lower is better). Not a code length.</summary>
    [Goal(MetricGoal.Lower)]
    public const string DensityNatsPerDim = "eval/density_nats_per_dim";

    /// <summary>Mean squared error per pixel of the reconstructions decoder(mu(x)).</summary>
    [Goal(MetricGoal.Lower)]
    public const string Mse = "eval/mse";

    /// <summary>The decoder noise sigma.</summary>
    [Goal(MetricGoal.None)]
    public const string Sigma = "eval/sigma";

    /// <summary>Importance-weighted bound on log p(x) with k samples of q(z|x), nats per image.</summary>
    [Goal(MetricGoal.Higher)]
    public const string Iwae = "eval/iwae";

    /// <summary>The ELBO at the sigma that maximises it for the held-out squared error (sigma^2 = MSE of sampled reconstructions): one scale for trials trained under any convention.</summary>
    [Goal(MetricGoal.Higher)]
    public const string ElboSigmaStar = "eval/elbo_sigma_star";

    /// <summary>Latent dimensions whose posterior mean varies over the data: Cov_x(E_q[z_u]) &gt; 0.01 (Burda et al. 2016). A diagnostic, not a ranking.</summary>
    [Goal(MetricGoal.None)]
    public const string ActiveUnits = "eval/active_units";

    /// <summary>KL(q(z) || N(0, I)) of the aggregate posterior, the mixture of the held-out images' posteriors, estimated by sampling (<see cref="Evaluator.AggregateKl"/>), nats: how far samples of the prior are from what the decoder was trained on.</summary>
    [Goal(MetricGoal.Lower)]
    public const string AggregateKl = "eval/aggregate_kl";

    /// <summary>Once at the end, on the test split.</summary>
    [Goal(MetricGoal.Higher)]
    public const string TestElbo = "test/elbo";
    [Goal(MetricGoal.Higher)]
    public const string TestIwae = "test/iwae";
    /// <summary>The discretised code length from the test IWAE bound (the test ELBO without IWAE), bits per dimension.</summary>
    [Goal(MetricGoal.Lower)]
    public const string TestBitsPerDim = "test/bits_per_dim";
    /// <summary>-(test IWAE or ELBO) / D of the continuous density, nats per dimension.</summary>
    [Goal(MetricGoal.Lower)]
    public const string TestDensityNatsPerDim = "test/density_nats_per_dim";
    [Goal(MetricGoal.Lower)]
    public const string TestMse = "test/mse";

    /// <summary>The proposal comparison at the end: every name starts with this (see <see cref="Proposal"/>). Not a metric itself.</summary>
    public static readonly string ProposalPrefix = "proposal/";

    /// <summary>
    /// A figure of the proposal comparison, logged once at the trial's last step: <c>proposal/{estimator}/k{k}</c> for the
    /// estimate averaged over images and repeats, <c>proposal/{estimator}/{statistic}/k{k}</c> for its error; one metric per k,
    /// since k is not a time. Values to read, not to rank by.
    /// </summary>
    public static string Proposal(string estimator, string? statistic, int k) =>
        statistic is null ? $"{ProposalPrefix}{estimator}/k{k}" : $"{ProposalPrefix}{estimator}/{statistic}/k{k}";

    /// <summary>The reference value of <paramref name="estimator"/>'s target, averaged over the images: <c>proposal/{estimator}/reference</c>.</summary>
    public static string ProposalReference(string estimator) => $"{ProposalPrefix}{estimator}/reference";
}
