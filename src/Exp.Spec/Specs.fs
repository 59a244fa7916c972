namespace Exp.Spec

open System
open System.Collections.Generic
open System.Globalization
open System.IO
open Exp.Spec.Yaml
open Exp.Spec.Decoding
open Exp.Spec.Sweep

/// What was read from a user's input: a value, or every error found in it.
[<AbstractClass>]
type Checked<'T> internal (value: 'T option, errors: SpecError list, source: string) =
    member _.Succeeded = List.isEmpty errors
    member _.Errors: SpecError[] = Array.ofList errors

    /// The value; only when Succeeded.
    member internal _.Value: 'T =
        match value with
        | Some value when List.isEmpty errors -> value
        | _ -> invalidOp $"the {source} has errors; read Errors"

/// The outcome of reading a spec: a plan, or every error found in it.
[<Sealed>]
type LoadResult internal (plan: Plan option, errors: SpecError list) =
    inherit Checked<Plan>(plan, errors, "spec")

    /// The plan; only when Succeeded.
    member this.Plan: Plan = this.Value

/// A trial config read back from its canonical JSON (a trial's job file), or every error in it.
[<Sealed>]
type ConfigResult internal (config: TrialConfig option, errors: SpecError list) =
    inherit Checked<TrialConfig>(config, errors, "config")

    /// The config; only when Succeeded.
    member this.Config: TrialConfig = this.Value

module private Loading =
    let private nonEmpty: Check<string> =
        fun text -> if String.IsNullOrWhiteSpace text then Some "must not be empty" else None

    /// MLflow's limit on experiment names (mlflow/utils/validation.py, MAX_EXPERIMENT_NAME_LENGTH).
    [<Literal>]
    let private MaxExperimentName = 500

    /// An experiment name MLflow accepts and a terminal, a file and a server can carry:
    /// 1 to 500 characters, none of them a control character (NUL would end it in C and SQL).
    let private experimentName: Check<string> =
        fun name ->
            match nonEmpty name with
            | Some problem -> Some problem
            | None when name.Length > MaxExperimentName ->
                Some $"the name is {name.Length} characters; MLflow allows at most {MaxExperimentName}: shorten it"
            | None ->
                match Seq.tryFindIndex Char.IsControl name with
                | Some index -> Some $"the name has the control character U+{int name[index]:X4} at character {index + 1}; an experiment name is printable text: remove it"
                | None -> None

    /// What tracking can write to: a folder, a file: URI, or an MLflow server over http(s).
    let private trackingUri: Check<string> = fun uri -> Option.ofObj (TrackingUris.Problem uri)

    type Header =
        { Experiment: string
          Description: string
          Execution: ExecutionConfig
          Tracking: TrackingConfig
          Sweep: SweepSection }

    /// <param name="fallbackExperiment">The experiment when the spec names none (MLFLOW_EXPERIMENT_NAME), or "".</param>
    let header (decoding: Decoding) (fallbackExperiment: string) (root: Node) =
        let top = Section(decoding, "", root)
        let experiment =
            match top.Optional("experiment", Parse.string, experimentName) with
            | None when (top.Node "experiment").IsNone && not (String.IsNullOrWhiteSpace fallbackExperiment) ->
                match experimentName fallbackExperiment with
                | None -> Some fallbackExperiment
                | Some problem ->
                    decoding.Error(top.Position, "experiment", $"MLFLOW_EXPERIMENT_NAME (the experiment, as the spec names none): {problem}")
                    Some fallbackExperiment
            | given -> given
        if experiment.IsNone && (top.Node "experiment").IsNone then
            decoding.Error(
                top.Position,
                "experiment",
                "missing required key 'experiment': the MLflow experiment the trials are logged to, e.g. experiment: kl-sweep (or set MLFLOW_EXPERIMENT_NAME)"
            )
        let description = top.Field("description", "", Parse.string)
        for section in TrialDecoder.sections do
            top.Node section |> ignore
        let sweep = SweepDecoder.decode decoding (top.Section "sweep")
        let execution = ExecutionDecoder.decode decoding (top.Section "execution")
        let tracking =
            let section = top.Section "tracking"
            let config =
                { Uri = section.Field("uri", "", Parse.string, trackingUri)
                  Local = section.Field("local", "runs", Parse.string, nonEmpty) }
            section.Finish()
            config
        top.Finish()
        { Experiment = defaultArg experiment ""
          Description = description
          Execution = execution
          Tracking = tracking
          Sweep = sweep }

    /// The value text of an override split at its top-level commas, Hydra's multirun syntax
    /// (`0.1,1,10`); commas inside brackets, braces or quotes belong to one value (`[32,64]`, `'a,b'`).
    let private multirunParts (text: string) : string list =
        let parts = List<string>()
        let mutable depth = 0
        let mutable quote = None
        let mutable start = 0
        for i in 0 .. text.Length - 1 do
            match quote, text[i] with
            | Some q, c when c = q -> quote <- None
            | Some _, _ -> ()
            | None, ('\'' | '"' as c) -> quote <- Some c
            | None, ('[' | '{') -> depth <- depth + 1
            | None, (']' | '}') -> depth <- depth - 1
            | None, ',' when depth = 0 ->
                parts.Add(text.Substring(start, i - start))
                start <- i + 1
            | _ -> ()
        parts.Add(text.Substring start)
        List.ofSeq parts

    /// `train.epochs=20` -> the path and its value node, read as YAML; `loss.kl_weight=0.1,1,10`
    /// (Hydra's multirun syntax) -> the path and each value it sweeps.
    let override_ (text: string) : Result<string * Node list, SpecError list> =
        let source = $"override '{text}'"
        let at = { Source = source; Line = 1; Column = 1 }
        match text.IndexOf '=' with
        | separator when separator > 0 ->
            let path = text.Substring(0, separator).Trim()
            if NodePath.split path |> List.exists String.IsNullOrWhiteSpace then
                Error [ SpecError.at at path $"'{path}' is not a dotted key path like train.epochs" ]
            else
                match multirunParts (text.Substring(separator + 1)) with
                | [ single ] -> YamlReader.readValue source single |> Result.map (fun value -> path, [ value ])
                | parts when parts |> List.exists String.IsNullOrWhiteSpace ->
                    Error [ SpecError.at at path "an empty value between commas; a sweep over values is key=a,b,c, a list is key=[a,b]" ]
                | parts ->
                    let values = parts |> List.map (YamlReader.readValue source)
                    match values |> List.collect (function Error e -> e | Ok _ -> []) with
                    | [] ->
                        let nodes = values |> List.choose Result.toOption
                        match nodes |> List.countBy Node.display |> List.tryFind (fun (_, count) -> count > 1) with
                        | Some(value, _) -> Error [ SpecError.at at path $"the value {value} is listed twice; each value gives one trial" ]
                        | None -> Ok(path, nodes)
                    | errors -> Error errors
        | _ -> Error [ SpecError.at at "" "an override is key.path=value, like train.epochs=20" ]

    let displayValue (node: Node) =
        match node with
        | Scalar(text, false, _) ->
            match Double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture) with
            | true, number when Double.IsFinite number -> Planning.TrialJson.compactNumber number
            | _ -> text
        | other -> Node.display other

    let trialName (assignments: Assignment list) =
        let leaf (path: string) = (NodePath.split path) |> List.last
        let leaves = assignments |> List.map (fun a -> leaf a.Path)
        match assignments with
        | [] -> "base"
        | _ ->
            assignments
            |> List.map (fun a ->
                let label = if (leaves |> List.filter ((=) (leaf a.Path))).Length > 1 then a.Path else leaf a.Path
                label + "=" + displayValue a.Value)
            |> String.concat ","

    /// ASHA compares trials at epochs below each trial's full length, so that length is
    /// one value for the whole sweep: max_epochs, written into every trial as train.epochs.
    let private applyScheduler (decoding: Decoding) (section: SweepSection) (root: Node) =
        let sweptEpochs =
            match section.Sweep with
            | Grid parameters -> parameters |> List.tryFind (fun p -> p.Path = "train.epochs") |> Option.map _.Position
            | Random(_, _, parameters)
            | Adaptive { Parameters = parameters } -> parameters |> List.tryFind (fun p -> p.Path = "train.epochs") |> Option.map _.Position
            | Listed trials -> trials |> List.concat |> List.tryFind (fun a -> a.Path = "train.epochs") |> Option.map _.Position
            | Single -> None
        match section.Scheduler with
        | Unscheduled -> root
        | AshaSpec(_, _, maxEpochs) ->
            sweptEpochs
            |> Option.iter (fun position ->
                decoding.Error(position, "train.epochs", "with sweep.scheduler every trial trains to the same max_epochs; set it there instead of sweeping train.epochs"))
            match maxEpochs with
            | None -> root
            | Some(epochs, position) ->
                match NodePath.tryFind "train.epochs" root with
                | Some(Scalar(text, _, _) as written) when text <> string epochs ->
                    decoding.Error(
                        Node.position written,
                        "train.epochs",
                        $"train.epochs is {text} but sweep.scheduler.max_epochs is {epochs}: with ASHA max_epochs is every trial's train.epochs; remove one of them")
                    root
                | _ ->
                    match NodePath.set "train.epochs" (Scalar(string epochs, false, position)) position root with
                    | Ok root -> root
                    | Error message ->
                        decoding.Error(position, "train.epochs", message)
                        root

    let private scheduler (decoding: Decoding) (section: SweepSection) (baseConfig: TrialConfig) (fallback: Position) : Scheduler =
        match section.Scheduler with
        | Unscheduled ->
            { Kind = SchedulerKind.None
              MinEpochs = baseConfig.Train.Epochs
              ReductionFactor = 1
              MaxEpochs = baseConfig.Train.Epochs }
        | AshaSpec(minEpochs, reductionFactor, _) ->
            if minEpochs >= baseConfig.Train.Epochs then
                decoding.Error(
                    decoding.PositionOf("sweep.scheduler.min_epochs", fallback),
                    "sweep.scheduler.min_epochs",
                    $"min_epochs ({minEpochs}) must be below max_epochs ({baseConfig.Train.Epochs}, the trials' train.epochs), or no trial could be stopped early")
            { Kind = SchedulerKind.Asha
              MinEpochs = minEpochs
              ReductionFactor = reductionFactor
              MaxEpochs = baseConfig.Train.Epochs }

    let private objective (decoding: Decoding) (section: SweepSection) (baseConfig: TrialConfig) : Objective =
        let spec = section.Objective
        if spec.Metric.StartsWith Metrics.Iwae && baseConfig.Eval.IwaeSamples = 0 then
            decoding.Error(spec.Position, "sweep.metric", $"{spec.Metric} is logged only with eval.iwae_samples > 0 (e.g. 16); set it, or optimise eval/elbo")
        { Metric = spec.Metric
          Goal = if spec.Maximize then Goal.Maximize else Goal.Minimize }

    let private searchParameter (parameter: Parameter<Distribution>) : SearchParameter =
        let numeric kind low high =
            { Path = parameter.Path
              Kind = kind
              Low = low
              High = high
              Choices = [||] }
        match parameter.Values with
        | Uniform(low, high) -> numeric ParameterKind.Uniform low high
        | LogUniform(low, high) -> numeric ParameterKind.LogUniform low high
        | IntUniform(low, high) -> numeric ParameterKind.IntUniform (float low) (float high)
        | Choice values ->
            { numeric ParameterKind.Choice 0.0 (float (values.Length - 1)) with
                Choices = values |> List.map Node.display |> Array.ofList }

    /// The overrides of one value, set on the document in order; one that cannot be set is an error at its value.
    let private applyOverrides (decoding: Decoding) (overrides: (string * Node list) list) (document: Node) =
        overrides
        |> List.fold
            (fun root override_ ->
                match override_ with
                | path, [ value ] ->
                    match NodePath.set path value (Node.position value) root with
                    | Ok root -> root
                    | Error message ->
                        decoding.Error(Node.position value, path, message)
                        root
                | _ -> root)
            document

    /// The spec's sweep less what the overrides fix, and with what they sweep. As with Hydra's sweeper, the command
    /// line wins over the spec's sweep of the same key: one value fixes it, several (key=a,b,c) sweep those instead,
    /// as one more axis of the grid.
    let private sweepWithOverrides (decoding: Decoding) (overrides: (string * Node list) list) specSweep =
        let overridden = overrides |> List.map fst |> Set.ofList
        let multirun =
            overrides
            |> List.choose (function
                | path, (_ :: _ :: _ as values) -> Some { Path = path; Position = Node.position values.Head; Values = values }
                | _ -> None)
        match Sweep.withGrid multirun (Sweep.without overridden specSweep) with
        | Ok sweep -> sweep
        | Error methodName ->
            for parameter in multirun do
                decoding.Error(
                    parameter.Position,
                    parameter.Path,
                    $"several values (key=a,b,c) add an axis to a grid sweep, and this spec's sweep is {methodName}: "
                    + "list the values in its sweep.parameters, or give one value")
            specSweep

    /// A trial's assignments set on the spec and decoded into its config. A valid config that cannot fit is refused
    /// here, at the key to change, not by a native crash mid-run; only a valid config has a model to estimate
    /// (`channels: []` has no layers to measure).
    let private decodeTrial (decoding: Decoding) (execution: ExecutionConfig) (availableBytes: int64) (root: Node) (assignments: Assignment list) =
        let root =
            assignments
            |> List.fold
                (fun root (assignment: Assignment) ->
                    match NodePath.set assignment.Path assignment.Value assignment.Position root with
                    | Ok root -> root
                    | Error message ->
                        decoding.Error(assignment.Position, assignment.Path, message)
                        root)
                root
        let errorsBefore = decoding.Count
        let config = TrialDecoder.decode decoding root
        if decoding.Count = errorsBefore then
            match MemoryEstimate.refusal config (MemoryEstimate.budget execution availableBytes) with
            | Some(key, message) -> decoding.Error(decoding.PositionOf(key, Node.position root), key, message)
            | None -> ()
        assignments, config

    /// Trials that differ only in their seed are replicates of one configuration, whether sweep.replicates or a
    /// swept seed made them: they share the id of their config at the base seed.
    let private configGroup (baseConfig: TrialConfig) (config: TrialConfig) =
        Planning.TrialJson.id { config with Seed = baseConfig.Seed }

    let private trial (baseConfig: TrialConfig) number replicate (assignments: Assignment list) (config: TrialConfig) : Trial =
        { Id = Planning.TrialJson.id config
          Name = trialName assignments
          Number = number
          SweptValues = assignments |> List.map (fun a -> { Path = a.Path; Value = displayValue a.Value }) |> Array.ofList
          Config = config
          ConfigGroup = configGroup baseConfig config
          Replicate = replicate }

    /// An adaptive sweep's space: TPE proposes values, and proposal `number` resolves to a trial as a listed one would,
    /// the replicate its number says. A proposal inside the checked ranges cannot be invalid, so one that is is a bug.
    let private searchSpace (tpe: Tpe) replicates replicated decodeIn (toTrial: int -> int -> Assignment list -> TrialConfig -> Trial) =
        let resolveProposal number (values: float[]) =
            let proposalDecoding = Decoding()
            let replicate = (number - 1) % replicates
            let proposal = [ List.map2 Expansion.assign tpe.Parameters (List.ofArray values) ]
            let assignments = replicated proposal |> List.item replicate
            let assignments, config = decodeIn proposalDecoding assignments
            match proposalDecoding.Errors with
            | [] -> toTrial number (replicate + 1) assignments config
            | errors -> invalidOp (String.Join("; ", errors |> List.map string))
        SearchSpace(
            tpe.Trials,
            replicates,
            tpe.StartupTrials,
            tpe.Seed,
            tpe.Parameters |> List.map searchParameter |> Array.ofList,
            (fun number -> Expansion.randomProposal tpe.Seed number tpe.Parameters |> Array.ofList),
            resolveProposal)

    /// Each swept value is also checked on its own: a sweep with errors may expand to no trials, and a random range
    /// must be valid whatever the seed draws from it.
    let private checkEachValue sweep (expandedToNone: bool) decode =
        match sweep with
        | Random _
        | Adaptive _ -> Expansion.singles sweep |> List.iter (decode >> ignore)
        | _ when expandedToNone -> Expansion.singles sweep |> List.iter (decode >> ignore)
        | _ -> ()

    /// Every error once, the spec's own first, then by file, line and column.
    let private inReadingOrder (source: string) (errors: SpecError list) =
        errors
        |> List.distinctBy (fun e -> e.Source, e.Line, e.Column, e.Message)
        |> List.sortBy (fun e -> e.Source <> source, e.Source, e.Line, e.Column)

    /// Trials with the same config run once, as the first of them, and the rest are warned of; the replicates of a
    /// configuration are numbered from 1 in order. Returns the distinct trials with their replicate, and the warnings.
    let private distinctTrials (groupOf: TrialConfig -> string) (trials: (Assignment list * TrialConfig) list) =
        let numbered = trials |> List.mapi (fun index (assignments, config) -> index + 1, assignments, config, Planning.TrialJson.id config)
        let firstWithId = numbered |> List.distinctBy (fun (_, _, _, id) -> id)
        let warnings =
            numbered
            |> List.filter (fun trial -> not (List.contains trial firstWithId))
            |> List.map (fun (number, _, _, id) ->
                let (first, _, _, _) = firstWithId |> List.find (fun (_, _, _, other) -> other = id)
                $"trial {number} has the same config as trial {first}; it runs once")
        let distinct =
            firstWithId
            |> List.mapFold
                (fun (seen: Map<string, int>) (_, assignments, config, _) ->
                    let group = groupOf config
                    let replicate = 1 + (seen.TryFind group |> Option.defaultValue 0)
                    (assignments, config, replicate), seen.Add(group, replicate))
                Map.empty
            |> fst
        distinct, warnings

    /// A sweep's id: its experiment and its trials. An adaptive or scheduled sweep is also what it optimises and how:
    /// change those and it is another sweep. More tpe trials extend the same sweep, as in an Optuna study.
    let private sweepId experiment sweep (objective: Objective) (scheduler: Scheduler) (trials: Trial list) =
        let decisions =
            match sweep, scheduler.Kind with
            | Adaptive _, _
            | _, SchedulerKind.Asha ->
                [ $"{Sweep.methodName sweep} {objective.Metric} {objective.Goal} {scheduler.Kind} {scheduler.MinEpochs}/{scheduler.ReductionFactor}/{scheduler.MaxEpochs}" ]
            | _ -> []
        Planning.TrialJson.sweepId experiment ((trials |> List.map _.Id) @ decisions)

    /// A spec document with its overrides into a plan: the header, the sweep less what the overrides fix, the
    /// scheduler's epochs, every trial decoded, what the sweep optimises, and the trials deduplicated; or every error.
    let private resolveDocument source text overrides (parsedOverrides: (string * Node list) list) overrideErrors fallbackExperiment availableBytes document =
        let decoding = Decoding()
        let applied = applyOverrides decoding parsedOverrides document
        let header = header decoding fallbackExperiment applied
        let sweep = sweepWithOverrides decoding parsedOverrides header.Sweep.Sweep
        let applied = applyScheduler decoding { header.Sweep with Sweep = sweep } applied
        let decodeIn decoding = decodeTrial decoding header.Execution availableBytes applied
        let baseConfig = TrialDecoder.decode decoding applied
        let replicates = header.Sweep.Replicates
        let replicated = Expansion.replicate replicates baseConfig.Seed header.Sweep.ReplicatesPosition
        let trials = Expansion.expand sweep |> replicated |> List.map (decodeIn decoding)
        let scheduler = scheduler decoding header.Sweep baseConfig (Node.position applied)
        let objective = objective decoding header.Sweep baseConfig
        let toTrial = trial baseConfig
        let search =
            match sweep with
            | Adaptive tpe -> searchSpace tpe replicates replicated decodeIn toTrial
            | _ -> null
        checkEachValue sweep trials.IsEmpty (decodeIn decoding)
        match inReadingOrder source (overrideErrors @ decoding.Errors) with
        | [] ->
            let distinct, warnings = distinctTrials (configGroup baseConfig) trials
            let resolved = distinct |> List.mapi (fun index (assignments, config, replicate) -> toTrial (index + 1) replicate assignments config)
            LoadResult(
                Some
                    { Experiment = header.Experiment
                      Description = header.Description
                      SpecPath = source
                      SpecText = text
                      Overrides = Array.ofList overrides
                      SweepMethod = Sweep.methodName sweep
                      Objective = objective
                      Scheduler = scheduler
                      Search = search
                      Sampled =
                        match sweep with
                        | Random(_, _, parameters) -> parameters |> List.map searchParameter |> Array.ofList
                        | Adaptive tpe -> tpe.Parameters |> List.map searchParameter |> Array.ofList
                        | _ -> [||]
                      SweepId = sweepId header.Experiment sweep objective scheduler resolved
                      Base = toTrial 1 1 [] baseConfig
                      Trials = Array.ofList resolved
                      Execution = header.Execution
                      Tracking = header.Tracking
                      Warnings = Array.ofList warnings },
                []
            )
        | errors -> LoadResult(None, errors)

    /// <param name="availableBytes">This machine's memory, for trials run here (0: not checked); Slurm trials are checked against execution.slurm.mem.</param>
    let resolve (source: string) (text: string) (overrides: string list) (fallbackExperiment: string) (availableBytes: int64) : LoadResult =
        let overrideResults = overrides |> List.map override_
        let overrideErrors = overrideResults |> List.collect (function Error e -> e | Ok _ -> [])
        match YamlReader.read source text with
        | Error errors -> LoadResult(None, errors @ overrideErrors)
        | Ok(Mapping _ as document) ->
            let parsedOverrides = overrideResults |> List.choose Result.toOption
            resolveDocument source text overrides parsedOverrides overrideErrors fallbackExperiment availableBytes document
        | Ok other ->
            LoadResult(None, [ SpecError.at (Node.position other) "" $"a spec is a mapping of keys (experiment, data, model, ...), found {Node.describe other}" ])

    /// The keys a spec may set in `document` (the canonical JSON of `config`) must decode to
    /// this very config, value for value as written: that checks every value and range by the
    /// spec's own rules, and that what the spec derives (mse's sigma) agrees with what is written.
    let private checkedBySpecRules (document: Node) (config: TrialConfig) : ConfigResult =
        let decoding = Decoding()
        let decoded = TrialDecoder.decode decoding (Planning.TrialJson.specKeys config document)
        match decoding.Errors with
        | [] ->
            let expected = Planning.TrialJson.flatten decoded |> Map.ofList
            let disagreements =
                [ for key, value in Planning.TrialJson.flatten config do
                      if expected[key] <> value then
                          let position = NodePath.tryFind key document |> Option.defaultValue document |> Node.position
                          SpecError.at position key $"is {value}, but the spec's rules make it {expected[key]} from the other keys; a job file is written by exp run, not edited" ]
            ConfigResult((if disagreements.IsEmpty then Some config else None), disagreements)
        | errors -> ConfigResult(None, errors)

    /// A resolved config as `TrialJson` writes it, read back by the same table of keys and
    /// checked by the spec's rules: a job file is validated here, not trusted.
    let trialConfig (source: string) (text: string) : ConfigResult =
        match YamlReader.read source text with
        | Error errors -> ConfigResult(None, errors)
        | Ok document ->
            match Planning.TrialJson.read document with
            | Error errors -> ConfigResult(None, errors)
            | Ok config -> checkedBySpecRules document config

/// Reading specs: the one entry point of this layer for C# callers.
[<AbstractClass; Sealed>]
type Specs =
    /// Resolves spec text into a plan. `source` names the text in error messages;
    /// `fallbackExperiment` (MLFLOW_EXPERIMENT_NAME, as MLflow clients read it) is the
    /// experiment when the spec names none.
    static member Parse(text: string, source: string, overrides: IReadOnlyList<string>, fallbackExperiment: string) : LoadResult =
        Specs.Parse(text, source, overrides, fallbackExperiment, 0L)

    /// As Parse, refusing (at the key to change) any trial whose estimated memory
    /// (MemoryEstimate) exceeds what it may use where it runs: `availableBytes`, this
    /// machine's memory, for local trials; execution.slurm.mem for Slurm trials.
    static member Parse(text: string, source: string, overrides: IReadOnlyList<string>, fallbackExperiment: string, availableBytes: int64) : LoadResult =
        Loading.resolve source text (List.ofSeq overrides) (if isNull fallbackExperiment then "" else fallbackExperiment) availableBytes

    static member Parse(text: string, source: string, overrides: IReadOnlyList<string>) : LoadResult =
        Specs.Parse(text, source, overrides, "")

    static member Parse(text: string, source: string) : LoadResult = Specs.Parse(text, source, [||])

    /// Reads and resolves a spec file.
    static member Load(path: string, overrides: IReadOnlyList<string>, fallbackExperiment: string) : LoadResult =
        Specs.Load(path, overrides, fallbackExperiment, 0L)

    /// Reads and resolves a spec file, refusing trials that need more memory than they may use where they run (see Parse).
    static member Load(path: string, overrides: IReadOnlyList<string>, fallbackExperiment: string, availableBytes: int64) : LoadResult =
        if File.Exists path then
            match YamlReader.readFile path with
            | Ok text -> Specs.Parse(text, path, overrides, fallbackExperiment, availableBytes)
            | Error errors -> LoadResult(None, errors)
        else
            LoadResult(None, [ SpecError.at { Source = path; Line = 1; Column = 1 } "" "no such spec file; check the path" ])

    static member Load(path: string, overrides: IReadOnlyList<string>) : LoadResult = Specs.Load(path, overrides, "")

    /// Reads back a resolved config from the JSON `Trial.ConfigJson` gives (a job file's
    /// `config`), checked like a spec; `source` names the text in error messages.
    static member ReadTrialConfig(json: string, source: string) : ConfigResult = Loading.trialConfig source json

    /// What a config's model needs in memory to train, from the config alone.
    static member EstimateMemory(config: TrialConfig) : MemoryEstimate = MemoryEstimate.of_ config

    /// The stable id of a resolved config: what `Trial.Id` is for the trial that has it.
    static member TrialId(config: TrialConfig) : string = Planning.TrialJson.id config
