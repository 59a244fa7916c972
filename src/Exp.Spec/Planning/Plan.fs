namespace Exp.Spec

/// One swept value of a trial, as shown in its name and the plan's table.
type SweptValue = { Path: string; Value: string }

/// A resolved trial: everything it needs, and how to recognise it again.
type Trial =
    { /// Derived from the full resolved config: same config, same id, on any machine.
      Id: string
      /// Built from the swept values, e.g. `kl_weight=1e-4,noise_sigma=0.1`.
      Name: string
      /// 1-based position in the plan.
      Number: int
      SweptValues: SweptValue[]
      Config: TrialConfig
      /// Shared by the replicates of one configuration (trials that differ only in their seed):
      /// the id the configuration has at the spec's own seed. Its run's tag exp.configGroup.
      ConfigGroup: string
      /// Which of its configuration's replicates it is, from 1 (1 without replicates).
      Replicate: int }

    /// The resolved config as JSON in the spec's own keys.
    member trial.ConfigJson = Planning.TrialJson.toText true trial.Config

    /// Every resolved value under its dotted path, then the derived loss.effective_beta and
    /// loss.effective_sigma: the MLflow params of the trial.
    member trial.Params =
        Planning.TrialJson.flatten trial.Config @ Planning.TrialJson.derived trial.Config
        |> List.map (fun (key, value) -> System.Collections.Generic.KeyValuePair(key, value))
        |> Array.ofList

    /// The keys of the params that are derived from the config, not written in it.
    static member DerivedParamKeys: string[] = Array.ofList Planning.TrialJson.derivedKeys

/// What a sweep optimises: `sweep.metric` (default eval/elbo) and `sweep.goal`.
type Objective =
    { Metric: string
      Goal: Goal }

    /// A value of the metric as a loss to rank by, lower is better (see Goals.Loss).
    member objective.Loss(value: float) = Goals.Loss(objective.Goal, value)

    /// Whether `candidate` is a better value of the metric than `incumbent`.
    member objective.IsBetter(candidate: float, incumbent: float) =
        Goals.IsBetter(objective.Goal, candidate, incumbent)

type SchedulerKind =
    /// Every trial trains to its train.epochs.
    | None = 0
    /// Asynchronous successive halving (Li et al. 2018): rungs at min_epochs * reduction_factor^k.
    | Asha = 1

/// `sweep.scheduler`. With Asha, MaxEpochs is every trial's train.epochs.
type Scheduler =
    { Kind: SchedulerKind
      MinEpochs: int
      ReductionFactor: int
      MaxEpochs: int }

    /// The epochs at which trials are compared: min_epochs * reduction_factor^k below
    /// max_epochs, then max_epochs. One rung (max_epochs) without a scheduler.
    member scheduler.Rungs: int[] =
        if scheduler.Kind = SchedulerKind.None then
            [| scheduler.MaxEpochs |]
        else
            Array.append
                (Seq.initInfinite id
                 |> Seq.map (fun k -> float scheduler.MinEpochs * (float scheduler.ReductionFactor ** float k))
                 |> Seq.takeWhile (fun epochs -> epochs < float scheduler.MaxEpochs)
                 |> Seq.map int
                 |> Array.ofSeq)
                [| scheduler.MaxEpochs |]

type ParameterKind =
    | Uniform = 0
    | LogUniform = 1
    | IntUniform = 2
    | Choice = 3

/// One searched parameter as samplers see it. A value is the number itself, or for a
/// choice the index into Choices.
type SearchParameter =
    { Path: string
      Kind: ParameterKind
      Low: float
      High: float
      /// The choices as written (for a choice parameter), else empty.
      Choices: string[] }

/// An adaptive search (`method: tpe`): its settings, its parameters, and how a proposal
/// becomes a trial. Proposals are numbered from 1; proposal n's random draw is a pure
/// function of the seed and n.
[<Sealed; AllowNullLiteral>]
type SearchSpace internal (trials: int, replicates: int, startupTrials: int, seed: int, parameters: SearchParameter[], randomValues: int -> float[], resolve: int -> float[] -> Trial) =
    /// Proposals in all: the configurations to try times their replicates.
    member _.Trials = trials * replicates
    /// How many seeds each configuration runs with: proposals (c-1)*replicates+1 .. c*replicates are configuration c's.
    member _.Replicates = replicates
    member _.StartupTrials = startupTrials
    member _.Seed = seed
    member _.Parameters = parameters

    /// The configuration (from 1) that proposal `number` is a replicate of.
    member _.Configuration(number: int) = (number - 1) / replicates + 1

    /// The random draw of configuration `configuration` (what TPE proposes before it has startup_trials results).
    member _.RandomValues(configuration: int) : float[] = randomValues configuration

    /// The trial that proposal `number` with these values (one per parameter) stands for; with
    /// replicates, its seed is its replicate's.
    /// Throws InvalidOperationException when those values make a config the engine cannot run.
    member _.Resolve(number: int, values: float[]) : Trial = resolve number values

/// A spec expanded into trials, with how to run them and where results go.
type Plan =
    { Experiment: string
      Description: string
      /// The spec file as given, and its text, for the record.
      SpecPath: string
      SpecText: string
      Overrides: string[]
      /// grid | random | list | tpe | none
      SweepMethod: string
      /// What the sweep optimises, and how trials are stopped early.
      Objective: Objective
      Scheduler: Scheduler
      /// The adaptive search of a tpe sweep, whose Trials are only its first (random)
      /// proposals; null for the other methods, whose Trials are all the trials.
      Search: SearchSpace
      /// How each parameter of a random or tpe sweep is drawn (what its axes and report read);
      /// empty for grids and lists.
      Sampled: SearchParameter[]
      /// Derived from the experiment and the trials' ids: the same sweep, the same id.
      SweepId: string
      Trials: Trial[]
      /// The spec without its sweep: what `exp train` trains.
      Base: Trial
      Execution: ExecutionConfig
      Tracking: TrackingConfig
      /// Things worth saying that are not errors (e.g. duplicate random draws merged).
      Warnings: string[] }
