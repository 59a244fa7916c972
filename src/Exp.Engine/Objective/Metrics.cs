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

    /// <summary>The ELBO as a code length: -ELBO / (D ln 2), bits per dimension (lower is better).</summary>
    [Goal(MetricGoal.Lower)]
    public const string BitsPerDim = "eval/bits_per_dim";

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

    /// <summary>KL of the moment-matched Gaussian of the aggregate posterior q(z) to N(0, I), nats: how far samples of the prior are from what the decoder was trained on.</summary>
    [Goal(MetricGoal.Lower)]
    public const string AggregateKl = "eval/aggregate_kl";

    /// <summary>Once at the end, on the test split.</summary>
    [Goal(MetricGoal.Higher)]
    public const string TestElbo = "test/elbo";
    [Goal(MetricGoal.Higher)]
    public const string TestIwae = "test/iwae";
    [Goal(MetricGoal.Lower)]
    public const string TestBitsPerDim = "test/bits_per_dim";
    [Goal(MetricGoal.Lower)]
    public const string TestMse = "test/mse";

    /// <summary>The proposal comparison at the end, each logged with step = k: values to read, not to rank by.</summary>
    [Goal(MetricGoal.None)]
    public const string ProposalQMean = "proposal/q_mean";
    [Goal(MetricGoal.None)]
    public const string ProposalQStd = "proposal/q_std";
    [Goal(MetricGoal.None)]
    public const string ProposalPriorMean = "proposal/prior_mean";
    [Goal(MetricGoal.None)]
    public const string ProposalPriorStd = "proposal/prior_std";
}
