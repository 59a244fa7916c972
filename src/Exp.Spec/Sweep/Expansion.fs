/// Sweep expansion: a pure function from a decoded sweep to the assignments of each trial.
module Exp.Spec.Sweep.Expansion

open System
open System.Globalization
open Exp.Spec.Yaml

/// One draw from a distribution, as samplers see values: the number itself, or the index
/// of the choice.
let drawValue (random: SplitMix) (distribution: Distribution) : float =
    match distribution with
    | Uniform(min, max) -> min + random.NextDouble() * (max - min)
    | LogUniform(min, max) -> exp (log min + random.NextDouble() * (log max - log min))
    | IntUniform(low, high) -> float (random.NextInt(low, high))
    | Choice values -> float (random.NextInt(0, values.Length - 1))

/// The assignment a sampler's value makes: the inverse of drawValue's representation.
let assign (parameter: Parameter<Distribution>) (value: float) : Assignment =
    let node =
        match parameter.Values with
        | Uniform _
        | LogUniform _ -> Scalar(value.ToString("R", CultureInfo.InvariantCulture), false, parameter.Position)
        | IntUniform _ -> Scalar(string (int (Math.Round value)), false, parameter.Position)
        | Choice values -> values[int value]
    { Path = parameter.Path
      Position = parameter.Position
      Value = node }

let private draw (random: SplitMix) (parameter: Parameter<Distribution>) : Assignment =
    assign parameter (drawValue random parameter.Values)

/// The random draw of an adaptive search's index-th proposal (1-based), seeded from the
/// seed and the index alone.
let randomProposal (seed: int) (index: int) (parameters: Parameter<Distribution> list) : float list =
    let random = SplitMix.ForProposal(seed, index)
    parameters |> List.map (fun parameter -> drawValue random parameter.Values)

/// Each trial's assignments, in order: grid trials vary the last parameter fastest.
let expand (sweep: Sweep) : Assignment list list =
    match sweep with
    | Single -> [ [] ]
    | Grid parameters ->
        parameters
        |> List.fold
            (fun trials parameter ->
                [ for trial in trials do
                      for value in parameter.Values ->
                          trial
                          @ [ { Path = parameter.Path
                                Position = parameter.Position
                                Value = value } ] ])
            [ [] ]
    | Random(trials, seed, parameters) ->
        let random = SplitMix(uint64 seed)
        List.init trials (fun _ -> parameters |> List.map (draw random))
    | Listed trials -> trials
    | Adaptive tpe ->
        // Only the random start is known before any trial runs: the rest is proposed as results come in.
        List.init (min tpe.StartupTrials tpe.Trials) (fun index ->
            List.map2 assign tpe.Parameters (randomProposal tpe.Seed (index + 1) tpe.Parameters))

/// The seeds of `replicates` replicates: the spec's own seed, then the next ones. The first
/// replicate is the configuration as it runs without replicates, so adding replicates to a
/// sweep keeps the trials it already ran.
let replicateSeeds (replicates: int) (baseSeed: int) : int list = List.init (max 1 replicates) (fun r -> baseSeed + r)

/// Each trial `replicates` times, each copy at its own seed, one configuration's copies in a
/// row (as an adaptive search proposes them). One replicate leaves the trials as they are.
let replicate (replicates: int) (baseSeed: int) (position: Position) (trials: Assignment list list) : Assignment list list =
    if replicates <= 1 then
        trials
    else
        [ for trial in trials do
              for seed in replicateSeeds replicates baseSeed ->
                  trial
                  @ [ { Path = "seed"
                        Position = position
                        Value = Scalar(string seed, false, position) } ] ]

/// Every value of every parameter on its own (for a random parameter, the ends of its
/// range and each choice): enough to check each swept value when the sweep as a whole
/// expands to no trial, and to check a random range whatever the seed draws.
let singles (sweep: Sweep) : Assignment list list =
    let at (parameter: Parameter<_>) value =
        [ { Path = parameter.Path
            Position = parameter.Position
            Value = value } ]
    let number (parameter: Parameter<_>) (value: float) =
        at parameter (Scalar(value.ToString("R", CultureInfo.InvariantCulture), false, parameter.Position))
    match sweep with
    | Grid parameters ->
        [ for parameter in parameters do
              for value in parameter.Values ->
                  [ { Path = parameter.Path
                      Position = parameter.Position
                      Value = value } ] ]
    | Listed trials -> trials |> List.collect (List.map List.singleton)
    | Random(_, _, parameters)
    | Adaptive { Parameters = parameters } ->
        parameters
        |> List.collect (fun parameter ->
            match parameter.Values with
            | Uniform(low, high)
            | LogUniform(low, high) -> [ number parameter low; number parameter high ]
            | IntUniform(low, high) -> [ number parameter (float low); number parameter (float high) ]
            | Choice values -> values |> List.map (at parameter))
    | Single -> []
