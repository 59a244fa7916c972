/// Decodes the `sweep` section: `grid`, `random` or `list`, with W&B-style parameters.
module Exp.Spec.Decoding.SweepDecoder

open System
open Exp.Spec
open Exp.Spec.Yaml
open Exp.Spec.Sweep

let private methods = [ "grid", "grid"; "random", "random"; "list", "list"; "tpe", "tpe" ]

let private goals = [ "maximize", true; "minimize", false ]

/// Optuna's defaults: TPE starts from 10 random trials; ASHA keeps the top third of each rung.
let private defaultStartupTrials = 10
let private defaultReductionFactor = 3

let private objective (decoding: Decoding) (section: Section) : ObjectiveSpec =
    let metricNode = section.Node "metric"
    let position = metricNode |> Option.map Node.position |> Option.defaultValue section.Position
    let metric = section.Field("metric", Metrics.Elbo, Parse.string)
    let known = Metrics.Sweepable |> Seq.contains metric
    let natural = Metrics.GoalOf metric |> Goals.Of
    let goal = section.Optional("goal", Parse.choice goals, Check.none)
    if not known then
        let names = List.ofSeq Metrics.Sweepable
        let hint =
            if metric.StartsWith "test/" then
                "; test/ metrics are logged once at the end, so trials cannot be compared while they run: use its eval/ twin"
            else
                Suggestion.hint names metric
        decoding.Error(position, "sweep.metric", $"'{metric}' is not a metric trials log every epoch" + hint)
    if known && not natural.HasValue && (section.Node "goal").IsNone then
        decoding.Error(position, "sweep.goal", $"{metric} has no natural direction: add goal: maximize or goal: minimize")
    let maximize =
        match goal with
        | Some given -> given
        | None -> not natural.HasValue || natural.Value = Goal.Maximize
    { Metric = metric
      Maximize = maximize
      Position = position }

/// `scheduler: asha`, or `scheduler: {type: asha, min_epochs: 1, reduction_factor: 3, max_epochs: 9}`.
let private scheduler (decoding: Decoding) (section: Section) : SchedulerSpec =
    match section.Node "scheduler" with
    | None -> Unscheduled
    | Some(Scalar("asha", _, _)) -> AshaSpec(1, defaultReductionFactor, None)
    | Some(Mapping _ as node) ->
        let scheduler = Section(decoding, "sweep.scheduler", node)
        let kind = scheduler.Field("type", "", Parse.choice [ "asha", "asha" ])
        if (scheduler.Node "type").IsNone then
            decoding.Error(scheduler.Position, "sweep.scheduler.type", "a scheduler needs type: asha")
        let minEpochs = scheduler.Field("min_epochs", 1, Parse.int, Check.atLeast 1)
        let reduction = scheduler.Field("reduction_factor", defaultReductionFactor, Parse.int, Check.atLeast 2)
        let maxEpochs =
            scheduler.Optional("max_epochs", Parse.int, Check.atLeast 1)
            |> Option.map (fun epochs -> epochs, decoding.PositionOf("sweep.scheduler.max_epochs", scheduler.Position))
        scheduler.Finish()
        if kind = "asha" then AshaSpec(minEpochs, reduction, maxEpochs) else Unscheduled
    | Some(Scalar(text, _, position)) ->
        decoding.Error(position, "sweep.scheduler", $"unknown scheduler '{text}'" + Suggestion.hint [ "asha" ] text)
        Unscheduled
    | Some other ->
        decoding.Error(Node.position other, "sweep.scheduler", $"expected asha or {{type: asha, min_epochs: 1, reduction_factor: 3, max_epochs: 9}}, found {Node.describe other}")
        Unscheduled

/// Sweep paths point into the trial config; a wrong first segment is caught here, a
/// wrong deeper key when the trial is decoded (with a suggestion either way).
let private checkPath (decoding: Decoding) (position: Position) (path: string) =
    let first = (NodePath.split path).Head
    if not (List.contains first TrialDecoder.sections) then
        let sections = String.Join(", ", TrialDecoder.sections)
        decoding.Error(
            position,
            path,
            $"sweep path '{path}' does not point into the trial config ({sections})"
            + Suggestion.hint TrialDecoder.sections first
        )
        false
    else
        true

/// The entries of a `parameters` mapping whose paths point into the trial config.
let private parameters (decoding: Decoding) (section: Section) =
    match section.Node "parameters" with
    | None -> []
    | Some(Mapping(entries, _)) -> entries |> List.filter (fun e -> checkPath decoding e.KeyPosition e.Key)
    | Some other ->
        decoding.Error(Node.position other, "sweep.parameters", $"expected a mapping of paths to values, found {Node.describe other}")
        []

/// A grid parameter: `[a, b]`, `{values: [a, b]}` or `{value: a}`.
let private gridValues (decoding: Decoding) (entry: Entry) : Node list =
    let path = $"sweep.parameters.{entry.Key}"
    let values =
        match entry.Value with
        | Sequence(items, _) -> items
        | Mapping _ ->
            let section = Section(decoding, path, entry.Value)
            let values =
                match section.Node "values", section.Node "value" with
                | Some(Sequence(items, _)), _ -> items
                | None, Some value -> [ value ]
                | _ ->
                    decoding.Error(section.Position, path, "a grid parameter needs `values: [...]` or `value: x`")
                    []
            section.Finish()
            values
        | other ->
            decoding.Error(Node.position other, path, $"a grid parameter is a list of values, like [1.0e-4, 1.0e-3]; found {Node.describe other}")
            []
    match values with
    | [] when (match entry.Value with Sequence([], _) -> true | _ -> false) ->
        decoding.Error(Node.position entry.Value, path, "an empty grid: list at least one value")
    | _ -> ()
    values
    |> List.countBy Node.display
    |> List.filter (fun (_, count) -> count > 1)
    |> List.iter (fun (value, _) ->
        decoding.Error(Node.position entry.Value, path, $"the value {value} is listed twice; each grid value gives one trial"))
    values

let private distributions = [ "uniform"; "loguniform"; "log_uniform_values"; "int_uniform" ]

/// A random parameter: `{distribution: loguniform, min: 1.0e-5, max: 1.0e-2}`,
/// `{choice: [a, b]}`, `{values: [a, b]}`, `{value: a}`, or a plain list to choose from.
let private distribution (decoding: Decoding) (entry: Entry) : Distribution option =
    let path = $"sweep.parameters.{entry.Key}"
    match entry.Value with
    | Sequence([], position) ->
        decoding.Error(position, path, "nothing to choose from: list at least one value")
        None
    | Sequence(items, _) -> Some(Choice items)
    | Mapping _ ->
        let section = Section(decoding, path, entry.Value)
        let choices =
            [ section.Node "choice"; section.Node "values" ]
            |> List.choose id
            |> List.tryHead
        let fixedValue = section.Node "value"
        let result =
            match section.Optional("distribution", Parse.choice (distributions |> List.map (fun d -> d, d)), Check.none), choices, fixedValue with
            | Some name, _, _ ->
                let bound key = section.Optional(key, Parse.float, Check.none)
                match name, bound "min", bound "max" with
                | _, None, _
                | _, _, None ->
                    decoding.Error(section.Position, path, $"a {name} distribution needs both min and max")
                    None
                | _, Some low, Some high when low >= high ->
                    decoding.Error(section.Position, path, $"min must be below max, found min {low} and max {high}")
                    None
                | ("loguniform" | "log_uniform_values"), Some low, _ when low <= 0.0 ->
                    decoding.Error(section.Position, path, $"a loguniform distribution needs min > 0, found {low}")
                    None
                | "uniform", Some low, Some high -> Some(Uniform(low, high))
                | "int_uniform", Some low, Some high when
                    low = Math.Round low && high = Math.Round high && low >= float Int32.MinValue && high <= float Int32.MaxValue ->
                    Some(IntUniform(int low, int high))
                | "int_uniform", _, _ ->
                    decoding.Error(section.Position, path, "an int_uniform distribution needs whole-number min and max within 32-bit range")
                    None
                | _, Some low, Some high -> Some(LogUniform(low, high))
            | None, Some(Sequence(items, _)), _ when not items.IsEmpty -> Some(Choice items)
            | None, Some other, _ ->
                decoding.Error(Node.position other, path, "choice needs a non-empty list of values, like [relu, gelu]")
                None
            | None, None, Some value -> Some(Choice [ value ])
            | None, None, None ->
                decoding.Error(section.Position, path, "a random parameter needs `distribution` with min and max, or `choice: [...]`")
                None
        section.Finish()
        result
    | other ->
        decoding.Error(
            Node.position other,
            path,
            $"a random parameter is a distribution like {{distribution: loguniform, min: 1.0e-5, max: 1.0e-2}} or {{choice: [a, b]}}; found {Node.describe other}"
        )
        None

let private listedTrials (decoding: Decoding) (node: Node) : Assignment list list =
    match node with
    | Sequence(items, _) when not items.IsEmpty ->
        items
        |> List.choose (fun item ->
            match item with
            | Mapping(entries, _) ->
                entries
                |> List.filter (fun e -> checkPath decoding e.KeyPosition e.Key)
                |> List.map (fun e -> { Path = e.Key; Position = e.KeyPosition; Value = e.Value })
                |> Some
            | other ->
                decoding.Error(Node.position other, "sweep.trials", $"each trial of a list sweep is a mapping of paths to values, like {{loss.kl_weight: 1.0e-4}}; found {Node.describe other}")
                None)
    | other ->
        decoding.Error(Node.position other, "sweep.trials", $"a list sweep needs trials: a non-empty list of mappings, like [{{loss.kl_weight: 1.0e-4}}]; found {Node.describe other}")
        []

/// The most trials one sweep may have. Each trial is its own MLflow run and its own process
/// (about a second of start-up alone, more on a cluster), and the plan holds every resolved
/// config in memory; past this a sweep cannot finish in any reasonable time, and a typo such
/// as trials: 100000000 would only hang `exp validate`. Checked before anything is expanded.
let maxTrials = 10000

let private tooMany (what: string) =
    $"{what}; a sweep has at most {maxTrials} trials: each trial is its own MLflow run and process, "
    + "so more cannot finish in reasonable time; split the search into several sweeps or narrow it"

let decode (decoding: Decoding) (section: Section) : SweepSection =
    let sweepMethod = section.Field("method", "grid", Parse.choice methods)
    let entries = parameters decoding section
    let seed = section.Field("seed", 0, Parse.int, Check.atLeast 0)
    let trialsNode = section.Node "trials"
    let objective = objective decoding section
    let scheduler = scheduler decoding section
    let startupNode = section.Node "startup_trials"
    let replicates = section.Field("replicates", 1, Parse.int, Check.atLeast 1)
    let replicatesPosition = section.Node "replicates" |> Option.map Node.position |> Option.defaultValue section.Position
    if sweepMethod <> "tpe" then
        startupNode |> Option.iter (fun node ->
            decoding.Error(Node.position node, "sweep.startup_trials", "startup_trials applies to method: tpe (the random draws before TPE starts learning)"))
    let distributions () =
        entries
        |> List.choose (fun entry ->
            distribution decoding entry
            |> Option.map (fun d -> { Path = entry.Key; Position = entry.KeyPosition; Values = d }))
    let sweep =
        match sweepMethod with
        | "random" ->
            let parameters = distributions ()
            match trialsNode with
            | None ->
                decoding.Error(section.Position, "sweep.trials", "a random sweep needs `trials`: how many trials to draw, e.g. trials: 10")
                Single
            | Some node ->
                let trials = section.Field("trials", 1, Parse.int, Check.atLeast 1)
                if trials > maxTrials then
                    decoding.Error(Node.position node, "sweep.trials", tooMany $"{trials} trials is too many")
                    Single
                else
                    Random(trials, seed, parameters)
        | "tpe" ->
            let parameters = distributions ()
            if entries.IsEmpty then
                decoding.Error(section.Position, "sweep.parameters", "a tpe sweep needs parameters to search, like train.lr: {distribution: loguniform, min: 1.0e-4, max: 1.0e-2}")
            let startup = section.Field("startup_trials", defaultStartupTrials, Parse.int, Check.atLeast 1)
            match trialsNode with
            | None ->
                decoding.Error(section.Position, "sweep.trials", "a tpe sweep needs `trials`: how many trials to propose in all, e.g. trials: 30")
                Single
            | Some node ->
                let trials = section.Field("trials", 1, Parse.int, Check.atLeast 1)
                if trials > maxTrials then
                    decoding.Error(Node.position node, "sweep.trials", tooMany $"{trials} trials is too many")
                Adaptive
                    { Trials = trials
                      StartupTrials = startup
                      Seed = seed
                      Parameters = parameters }
        | "list" ->
            if not entries.IsEmpty then
                decoding.Error(section.Position, "sweep.parameters", "a list sweep takes its values from `trials`; move them there or use method: grid")
            match trialsNode with
            | None ->
                decoding.Error(section.Position, "sweep.trials", "a list sweep needs `trials`: a list of mappings of paths to values")
                Single
            | Some node -> Listed(listedTrials decoding node)
        | _ ->
            trialsNode
            |> Option.iter (fun node ->
                decoding.Error(Node.position node, "sweep.trials", "trials applies to random, tpe and list sweeps; a grid runs every combination of its values"))
            if entries.IsEmpty then
                Single
            else
                let parameters = entries |> List.map (fun e -> { Path = e.Key; Position = e.KeyPosition; Values = gridValues decoding e })
                let combinations = parameters |> List.fold (fun product p -> product * float (max 1 p.Values.Length)) 1.0
                if combinations > float maxTrials then
                    let sizes = parameters |> List.map (fun p -> string p.Values.Length) |> String.concat " x "
                    let count = combinations.ToString("0", System.Globalization.CultureInfo.InvariantCulture)
                    decoding.Error(section.Position, "sweep.parameters", tooMany $"this grid has {count} combinations ({sizes})")
                    Single
                else
                    Grid parameters
    if replicates > 1 then
        if Sweep.paths sweep |> List.contains "seed" then
            decoding.Error(
                replicatesPosition,
                "sweep.replicates",
                "replicates run each configuration at the seeds seed, seed + 1, ...; remove seed from the swept values, or set replicates: 1")
        let configurations =
            match sweep with
            | Single -> 1.0
            | Grid parameters -> parameters |> List.fold (fun product p -> product * float (max 1 p.Values.Length)) 1.0
            | Random(trials, _, _) -> float trials
            | Listed trials -> float trials.Length
            | Adaptive tpe -> float tpe.Trials
        if configurations <= float maxTrials && configurations * float replicates > float maxTrials then
            let runs = (configurations * float replicates).ToString("0", System.Globalization.CultureInfo.InvariantCulture)
            decoding.Error(replicatesPosition, "sweep.replicates", tooMany $"{configurations} configurations x {replicates} replicates are {runs} trials")
    section.Finish()
    { Sweep = sweep
      Objective = objective
      Scheduler = scheduler
      Replicates = replicates
      ReplicatesPosition = replicatesPosition }
