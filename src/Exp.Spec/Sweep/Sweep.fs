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

/// What the `sweep` section asks for, decoded but not yet expanded.
type Sweep =
    /// No sweep: the spec is one trial.
    | Single
    | Grid of Parameter<Node list> list
    | Random of trials: int * seed: int * Parameter<Distribution> list
    | Listed of Assignment list list

module Sweep =
    let methodName sweep =
        match sweep with
        | Single -> "none"
        | Grid _ -> "grid"
        | Random _ -> "random"
        | Listed _ -> "list"

    /// Drops the swept paths that a command-line override fixes: `loss.kl_weight=1e-3`
    /// on the command line runs that one value, as a Hydra user expects.
    let without (paths: Set<string>) sweep =
        let keep (path: string) = not (paths.Contains path)
        match sweep with
        | Single -> Single
        | Grid parameters -> Grid(parameters |> List.filter (fun p -> keep p.Path))
        | Random(trials, seed, parameters) -> Random(trials, seed, parameters |> List.filter (fun p -> keep p.Path))
        | Listed trials -> Listed(trials |> List.map (List.filter (fun a -> keep a.Path)))
