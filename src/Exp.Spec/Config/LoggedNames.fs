/// The names of what a trial logs (metrics, with which way each improves, and images) and which
/// way is better, in one home at the lowest layer that needs them: the spec validates
/// `sweep.metric` against them, the engine logs under them, the runner, the catalog and the
/// report read them.
namespace Exp.Spec

open System
open System.Collections.Generic

/// What a sweep does with its metric (`sweep.goal`).
type Goal =
    | Maximize = 0
    | Minimize = 1

/// Which way a metric improves, as declared beside its name.
type MetricGoal =
    /// Neither: a value to read or to trade, not to rank by (sigma, the KL).
    | None = 0
    | Higher = 1
    | Lower = 2

/// Which way is better: every ranking and every "best" goes through here.
[<AbstractClass; Sealed>]
type Goals =
    /// The value as a loss, lower is better (Optuna's convention): negated when the goal is to maximize. A value that
    /// is not a number is no result, so it is the worst loss, +infinity.
    static member Loss(goal: Goal, value: float) =
        if Double.IsNaN value then Double.PositiveInfinity
        elif goal = Goal.Maximize then -value
        else value

    /// Whether `candidate` is strictly better than `incumbent` under `goal`.
    static member IsBetter(goal: Goal, candidate: float, incumbent: float) =
        Goals.Loss(goal, candidate) < Goals.Loss(goal, incumbent)

    /// The goal that follows a metric's declared direction; null for one that ranks neither way.
    static member Of(goal: MetricGoal) : Nullable<Goal> =
        match goal with
        | MetricGoal.Higher -> Nullable Goal.Maximize
        | MetricGoal.Lower -> Nullable Goal.Minimize
        | _ -> Nullable()

/// The metrics a trial logs: train/ every step, eval/ every epoch, test/ and proposal/ once at the end.
[<RequireQualifiedAccess>]
module Metrics =
    /// The training loss as optimised (weighted), nats per image.
    [<Literal>]
    let TrainLoss = "train/loss"

    /// The epoch counter, logged beside the held-out metrics at the step that ended the epoch: bookkeeping, kept in
    /// the train/ section so that no science metric sits below it in MLflow's lists.
    [<Literal>]
    let Epoch = "train/epoch"

    /// Held-out E_q[log p(x|z)], one sample per image, nats per image.
    [<Literal>]
    let ReconLogLikelihood = "eval/recon_log_likelihood"

    /// Held-out KL(q(z|x) || p(z)), nats per image. Traded against reconstruction, not ranked: the lowest KL is a
    /// posterior that says nothing about its image.
    [<Literal>]
    let Kl = "eval/kl"

    /// Held-out unweighted ELBO, nats per image (higher is better).
    [<Literal>]
    let Elbo = "eval/elbo"

    /// The code length of the 8-bit images, -log2 P(x) / D with P the discretised Gaussian decoder, bounded by its
    /// ELBO: bits per dimension, always positive; a uniform guess is 8 (lower is better).
    [<Literal>]
    let BitsPerDim = "eval/bits_per_dim"

    /// -ELBO / D of the continuous density on [0, 1]^D: nats per dimension of a density, negative when the density
    /// exceeds 1 (lower is better). Not a code length.
    [<Literal>]
    let DensityNatsPerDim = "eval/density_nats_per_dim"

    /// Mean squared error per pixel of the reconstructions decoder(mu(x)).
    [<Literal>]
    let Mse = "eval/mse"

    /// The decoder noise sigma.
    [<Literal>]
    let Sigma = "eval/sigma"

    /// Importance-weighted bound on log p(x) with k samples of q(z|x), nats per image.
    [<Literal>]
    let Iwae = "eval/iwae"

    /// The ELBO at the sigma that maximises it for the held-out squared error (sigma^2 = MSE of sampled
    /// reconstructions): one scale for trials trained under any convention.
    [<Literal>]
    let ElboSigmaStar = "eval/elbo_sigma_star"

    /// Latent dimensions whose posterior mean varies over the data: Cov_x(E_q[z_u]) > 0.01 (Burda et al. 2016). A
    /// diagnostic, not a ranking.
    [<Literal>]
    let ActiveUnits = "eval/active_units"

    /// KL(q(z) || N(0, I)) of the aggregate posterior, the mixture of the held-out images' posteriors, estimated by
    /// sampling, nats: how far samples of the prior are from what the decoder was trained on.
    [<Literal>]
    let AggregateKl = "eval/aggregate_kl"

    /// The held-out ELBO on the test split, once at the end.
    [<Literal>]
    let TestElbo = "test/elbo"

    [<Literal>]
    let TestIwae = "test/iwae"

    /// The discretised code length from the test IWAE bound (the test ELBO without IWAE), bits per dimension.
    [<Literal>]
    let TestBitsPerDim = "test/bits_per_dim"

    /// -(test IWAE or ELBO) / D of the continuous density, nats per dimension.
    [<Literal>]
    let TestDensityNatsPerDim = "test/density_nats_per_dim"

    [<Literal>]
    let TestMse = "test/mse"

    /// The proposal comparison at the end: every name starts with this (see Proposal). Not a metric itself.
    [<Literal>]
    let ProposalPrefix = "proposal/"

    /// A figure of the proposal comparison, logged once at the trial's last step: `proposal/{estimator}/k{k}` for the
    /// estimate averaged over images and repeats, `proposal/{estimator}/{statistic}/k{k}` (statistic not null) for its
    /// error; one metric per k, since k is not a time. Values to read, not to rank by.
    let Proposal (estimator: string, statistic: string, k: int) =
        if isNull statistic then $"{ProposalPrefix}{estimator}/k{k}"
        else $"{ProposalPrefix}{estimator}/{statistic}/k{k}"

    /// The reference value of the estimator's target, averaged over the images: `proposal/{estimator}/reference`.
    let ProposalReference (estimator: string) = $"{ProposalPrefix}{estimator}/reference"

    /// Every declared metric with which way it improves. The epoch counter and the proposal figures rank neither way.
    let private goals: IReadOnlyDictionary<string, MetricGoal> =
        dict
            [ TrainLoss, MetricGoal.Lower
              Epoch, MetricGoal.None
              ReconLogLikelihood, MetricGoal.Higher
              Kl, MetricGoal.None
              Elbo, MetricGoal.Higher
              BitsPerDim, MetricGoal.Lower
              DensityNatsPerDim, MetricGoal.Lower
              Mse, MetricGoal.Lower
              Sigma, MetricGoal.None
              Iwae, MetricGoal.Higher
              ElboSigmaStar, MetricGoal.Higher
              ActiveUnits, MetricGoal.None
              AggregateKl, MetricGoal.Lower
              TestElbo, MetricGoal.Higher
              TestIwae, MetricGoal.Higher
              TestBitsPerDim, MetricGoal.Lower
              TestDensityNatsPerDim, MetricGoal.Lower
              TestMse, MetricGoal.Lower ]
        |> Dictionary
        :> IReadOnlyDictionary<_, _>

    /// Which way `key` improves, as declared; None for a metric exp does not declare.
    let GoalOf (key: string) =
        match goals.TryGetValue key with
        | true, goal -> goal
        | _ -> MetricGoal.None

    /// Every metric name declared here.
    let Declared: IReadOnlyCollection<string> = goals.Keys |> Seq.toArray :> IReadOnlyCollection<_>

    /// The metrics a sweep can optimise: those logged while a trial runs (train/ every step, eval/ every epoch), so that
    /// trials can be compared before they end; the epoch counter is bookkeeping, not a result. In the order an error
    /// lists them.
    let Sweepable: IReadOnlyList<string> =
        [| Elbo; Iwae; ReconLogLikelihood; ElboSigmaStar; Kl; BitsPerDim; DensityNatsPerDim; Mse; AggregateKl; TrainLoss; ActiveUnits; Sigma |]

/// The estimators of log p(x) the proposal comparison logs figures of (the `{estimator}` of Metrics.Proposal).
[<RequireQualifiedAccess>]
module ProposalEstimators =
    /// Importance sampling of log p(x) with the prior as proposal, z ~ N(0, I).
    [<Literal>]
    let Prior = "prior"

    /// Importance sampling of log p(x) with q(z|x) as proposal (the IWAE estimate).
    [<Literal>]
    let Q = "q"

    /// The mean of log p(x|z_i) over samples of q(z|x), against E_q[log p(x|z)].
    [<Literal>]
    let Recon = "recon"

/// The keys of the images a trial logs (as `mlflow.log_image` keys).
[<RequireQualifiedAccess>]
module ImageKeys =
    /// Decodings of samples of the prior, z ~ N(0, I), per epoch.
    [<Literal>]
    let Samples = "samples"

    /// Decodings of the same draws scaled to `eval.sample_std` (the notes' 0.85), z ~ N(0, sample_std^2 I), per epoch;
    /// absent when sample_std is 1.
    [<Literal>]
    let TemperedSamples = "samples_tempered"

    /// Held-out images beside decoder(mu(x)), per epoch.
    [<Literal>]
    let Reconstructions = "reconstructions"

    /// Bars of the held-out KL per latent dimension, per epoch.
    [<Literal>]
    let KlPerDimension = "kl_per_dimension"

    /// The log p(x) estimates against k with both proposals, once, at the last epoch.
    [<Literal>]
    let ProposalComparison = "proposal_comparison"
