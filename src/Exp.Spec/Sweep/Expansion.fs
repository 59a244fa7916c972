/// Sweep expansion: a pure function from a decoded sweep to the assignments of each trial.
module Exp.Spec.Sweep.Expansion

open System
open System.Globalization
open Exp.Spec.Yaml

let private draw (random: SplitMix) (parameter: Parameter<Distribution>) : Assignment =
    let number (value: float) = Scalar(value.ToString("R", CultureInfo.InvariantCulture), false, parameter.Position)
    let value =
        match parameter.Values with
        | Uniform(min, max) -> number (min + random.NextDouble() * (max - min))
        | LogUniform(min, max) -> number (exp (log min + random.NextDouble() * (log max - log min)))
        | IntUniform(low, high) -> Scalar(string (random.NextInt(low, high)), false, parameter.Position)
        | Choice values -> values[random.NextInt(0, values.Length - 1)]
    { Path = parameter.Path
      Position = parameter.Position
      Value = value }

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
    | Random(_, _, parameters) ->
        parameters
        |> List.collect (fun parameter ->
            match parameter.Values with
            | Uniform(low, high)
            | LogUniform(low, high) -> [ number parameter low; number parameter high ]
            | IntUniform(low, high) -> [ number parameter (float low); number parameter (float high) ]
            | Choice values -> values |> List.map (at parameter))
    | Single -> []
