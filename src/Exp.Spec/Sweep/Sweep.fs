namespace Exp.Spec.Sweep

open Exp.Spec.Yaml

/// A value one trial gives to one dotted path of the trial config.
type Assignment =
    { Path: string
      /// Where the swept path was written: keys the assignment creates point there.
      Position: Position
      Value: Node }

type Distribution =
    | Uniform of min: float * max: float
    | LogUniform of min: float * max: float
    | IntUniform of low: int * high: int
    | Choice of Node list

type Parameter<'T> =
    { Path: string
      Position: Position
      Values: 'T }

/// A search that learns from the trials so far (Optuna's TPE): `startup` random draws,
/// then each proposal from the good/bad densities of the trials before it.
type Tpe =
    { Trials: int
      StartupTrials: int
      Seed: int
      Parameters: Parameter<Distribution> list }

/// What the `sweep` section asks for, decoded but not yet expanded.
type Sweep =
    /// No sweep: the spec is one trial.
    | Single
    | Grid of Parameter<Node list> list
    | Random of trials: int * seed: int * Parameter<Distribution> list
    | Listed of Assignment list list
    | Adaptive of Tpe

/// `sweep.scheduler`: how trials are stopped early. Asha's max epochs, when given, becomes
/// every trial's train.epochs.
type SchedulerSpec =
    | Unscheduled
    | AshaSpec of minEpochs: int * reductionFactor: int * maxEpochs: (int * Position) option

/// `sweep.metric` and `sweep.goal`, as written (the goal defaults per metric).
type ObjectiveSpec =
    { Metric: string
      Maximize: bool
      Position: Position }

/// The decoded `sweep` section.
type SweepSection =
    { Sweep: Sweep
      Objective: ObjectiveSpec
      Scheduler: SchedulerSpec
      /// `sweep.replicates`: how many seeds each configuration runs with (1: one run each).
      Replicates: int
      /// Where `replicates` was written (the sweep section when it was not): the seed assignments point there.
      ReplicatesPosition: Position }

module Sweep =
    let methodName sweep =
        match sweep with
        | Single -> "none"
        | Grid _ -> "grid"
        | Random _ -> "random"
        | Listed _ -> "list"
        | Adaptive _ -> "tpe"

    /// The paths a sweep assigns.
    let paths sweep =
        match sweep with
        | Single -> []
        | Grid parameters -> parameters |> List.map _.Path
        | Random(_, _, parameters) -> parameters |> List.map _.Path
        | Listed trials -> trials |> List.concat |> List.map _.Path |> List.distinct
        | Adaptive tpe -> tpe.Parameters |> List.map _.Path

    /// Adds command-line multirun parameters (`loss.kl_weight=0.1,1,10`) as axes of a grid, as
    /// Hydra's basic sweeper takes the cartesian product; a spec without a sweep becomes a grid.
    /// Error (the sweep's method) for a random, list or TPE sweep, which has no product to extend.
    let withGrid (parameters: Parameter<Node list> list) sweep =
        match parameters, sweep with
        | [], _ -> Ok sweep
        | _, Single -> Ok(Grid parameters)
        | _, Grid existing -> Ok(Grid(existing @ parameters))
        | _, other -> Error(methodName other)

    /// Drops the swept paths that a command-line override fixes: `loss.kl_weight=1e-3`
    /// on the command line runs that one value, as a Hydra user expects.
    let without (paths: Set<string>) sweep =
        let keep (path: string) = not (paths.Contains path)
        match sweep with
        | Single -> Single
        | Grid parameters -> Grid(parameters |> List.filter (fun p -> keep p.Path))
        | Random(trials, seed, parameters) -> Random(trials, seed, parameters |> List.filter (fun p -> keep p.Path))
        | Listed trials -> Listed(trials |> List.map (List.filter (fun a -> keep a.Path)))
        | Adaptive tpe -> Adaptive { tpe with Parameters = tpe.Parameters |> List.filter (fun p -> keep p.Path) }
