/// The canonical JSON of a trial config, in the spec's own keys and words: what
/// `exp plan --json` prints, what a trial's id is hashed from, what MLflow params are, and
/// what a trial's job file hands over. One table of keys both writes it and reads it back,
/// so that whatever is written reads back as the same config.
module Exp.Spec.Planning.TrialJson

open System
open System.Globalization
open System.Text.Json
open System.Text.Json.Nodes
open Exp.Spec
open Exp.Spec.Yaml
open Exp.Spec.Decoding

/// How one kind of value is written, and read back from the node its JSON parses into.
type private Codec<'T> =
    { Write: 'T -> JsonNode
      Read: Parse<'T> }

let private value (v: 'T) = JsonValue.Create<'T>(v) :> JsonNode

let private whole: Codec<int> = { Write = value; Read = Parse.int }
let private number: Codec<float> = { Write = value; Read = Parse.float }
let private flag: Codec<bool> = { Write = value; Read = Parse.bool }

/// A JSON string: quoted, so that a path named `null` or `12` stays a string.
let private text: Codec<string> =
    { Write = value
      Read =
        function
        | Scalar(text, true, _) -> Ok text
        | other -> Error $"expected a string in double quotes, found {Node.describe other}" }

let private choice (table: (string * 'T) list) : Codec<'T> =
    { Write = fun v -> value (Names.nameOf table v)
      Read = Parse.choice table }

let private wholes: Codec<int[]> =
    { Write = fun vs -> JsonArray(vs |> Array.map value) :> JsonNode
      Read = Parse.list Parse.int >> Result.map Array.ofList }

/// A whole number or null (no limit).
let private optionalWhole: Codec<Nullable<int>> =
    { Write = fun v -> if v.HasValue then value v.Value else null
      Read = fun node -> if Node.isNull node then Ok(Nullable()) else Parse.int node |> Result.map Nullable }

/// noise_sigma: the number when fixed, else the mode's word (the config then holds TrialDecoder.unsetSigma).
let private sigma: Codec<float * SigmaMode> =
    { Write = fun (sigma, mode) -> if mode = SigmaMode.Fixed then value sigma else value (Names.nameOf Names.sigmaModes mode)
      Read =
        function
        | Scalar(_, true, _) as node ->
            Parse.choice Names.sigmaModes node |> Result.map (fun mode -> TrialDecoder.unsetSigma, mode)
        | node -> Parse.float node |> Result.map (fun sigma -> sigma, SigmaMode.Fixed) }

/// One key of the canonical form: where it goes, how its value is got from a config and put
/// back into one, and whether the spec derives it from other keys rather than reading it.
type private Field =
    { Path: string
      Write: TrialConfig -> JsonNode
      Read: Node -> TrialConfig -> Result<TrialConfig, string>
      DerivedIn: TrialConfig -> bool }

let private field path (codec: Codec<'T>) (get: TrialConfig -> 'T) (set: TrialConfig -> 'T -> TrialConfig) =
    { Path = path
      Write = get >> codec.Write
      Read = fun node config -> codec.Read node |> Result.map (set config)
      DerivedIn = fun _ -> false }

/// The key is written for every config (its value is in the id and the params), but where
/// `derived` holds the spec computes it and refuses it as input.
let private derivedWhen (derived: TrialConfig -> bool) (field: Field) = { field with DerivedIn = derived }

/// Every key of a trial config, in the order it is written. The order and the words are
/// part of every trial's id: a key added later goes where it belongs, with one line here.
let private fields: Field list =
    [ field "seed" whole _.Seed (fun c v -> { c with Seed = v })
      field "data.dataset" (choice Names.datasets) _.Data.Dataset (fun c v -> { c with Data.Dataset = v })
      field "data.path" text _.Data.Path (fun c v -> { c with Data.Path = v })
      field "data.image_size" whole _.Data.ImageSize (fun c v -> { c with Data.ImageSize = v })
      field "data.channels" whole _.Data.Channels (fun c v -> { c with Data.Channels = v })
      field "data.train_limit" optionalWhole _.Data.TrainLimit (fun c v -> { c with Data.TrainLimit = v })
      field "data.test_limit" optionalWhole _.Data.TestLimit (fun c v -> { c with Data.TestLimit = v })
      field "data.validation" number _.Data.Validation (fun c v -> { c with Data.Validation = v })
      field "model.architecture" (choice Names.architectures) _.Model.Architecture (fun c v -> { c with Model.Architecture = v })
      field "model.channels" wholes _.Model.Channels (fun c v -> { c with Model.Channels = v })
      field "model.kernel_size" whole _.Model.KernelSize (fun c v -> { c with Model.KernelSize = v })
      field "model.batch_norm" flag _.Model.BatchNorm (fun c v -> { c with Model.BatchNorm = v })
      field "model.activation" (choice Names.activations) _.Model.Activation (fun c v -> { c with Model.Activation = v })
      field "model.latent_dim" whole _.Model.LatentDim (fun c v -> { c with Model.LatentDim = v })
      field "model.upsample" (choice Names.upsamples) _.Model.Upsample (fun c v -> { c with Model.Upsample = v })
      field "model.output" (choice Names.outputs) _.Model.Output (fun c v -> { c with Model.Output = v })
      field "loss.reconstruction" (choice Names.reconstructions) _.Loss.Reconstruction (fun c v -> { c with Loss.Reconstruction = v })
      // With mse the spec derives the sigma its ELBO is reported at (see TrialDecoder).
      field "loss.noise_sigma" sigma (fun c -> c.Loss.NoiseSigma, c.Loss.Sigma) (fun c (s, mode) -> { c with Loss.NoiseSigma = s; Loss.Sigma = mode })
      |> derivedWhen (fun c -> c.Loss.Reconstruction = Reconstruction.Mse)
      field "loss.kl_weight" number _.Loss.KlWeight (fun c v -> { c with Loss.KlWeight = v })
      field "loss.kl_mode" (choice Names.klModes) _.Loss.KlMode (fun c v -> { c with Loss.KlMode = v })
      field "loss.kl_warmup_epochs" whole _.Loss.KlWarmupEpochs (fun c v -> { c with Loss.KlWarmupEpochs = v })
      field "loss.free_bits" number _.Loss.FreeBits (fun c v -> { c with Loss.FreeBits = v })
      field "train.epochs" whole _.Train.Epochs (fun c v -> { c with Train.Epochs = v })
      field "train.batch_size" whole _.Train.BatchSize (fun c v -> { c with Train.BatchSize = v })
      field "train.optimizer" (choice Names.optimizers) _.Train.Optimizer (fun c v -> { c with Train.Optimizer = v })
      field "train.lr" number _.Train.Lr (fun c v -> { c with Train.Lr = v })
      field "train.weight_decay" number _.Train.WeightDecay (fun c v -> { c with Train.WeightDecay = v })
      field "train.device" text _.Train.Device (fun c v -> { c with Train.Device = v })
      field "train.log_every" whole _.Train.LogEvery (fun c v -> { c with Train.LogEvery = v })
      field "eval.sample_count" whole _.Eval.SampleCount (fun c v -> { c with Eval.SampleCount = v })
      field "eval.sample_std" number _.Eval.SampleStd (fun c v -> { c with Eval.SampleStd = v })
      field "eval.reconstruction_count" whole _.Eval.ReconstructionCount (fun c v -> { c with Eval.ReconstructionCount = v })
      field "eval.iwae_samples" whole _.Eval.IwaeSamples (fun c v -> { c with Eval.IwaeSamples = v })
      field "eval.batch_size" whole _.Eval.BatchSize (fun c v -> { c with Eval.BatchSize = v })
      field "eval.test_iwae_samples" whole _.Eval.TestIwaeSamples (fun c v -> { c with Eval.TestIwaeSamples = v })
      field "eval.proposal_comparison" flag _.Eval.ProposalComparison (fun c v -> { c with Eval.ProposalComparison = v })
      field "eval.proposal_k" wholes _.Eval.ProposalK (fun c v -> { c with Eval.ProposalK = v })
      field "eval.proposal_images" whole _.Eval.ProposalImages (fun c v -> { c with Eval.ProposalImages = v })
      field "eval.proposal_repeats" whole _.Eval.ProposalRepeats (fun c v -> { c with Eval.ProposalRepeats = v }) ]

/// The mappings the keys sit in (data, model, ...), each before its keys.
let private sections =
    fields
    |> List.collect (fun f ->
        let segments = NodePath.split f.Path
        [ for length in 1 .. segments.Length - 1 -> String.Join(".", segments |> List.take length) ])
    |> List.distinct

let private parentOf (path: string) = match path.LastIndexOf '.' with -1 -> "" | dot -> path.Substring(0, dot)

let private leafOf (path: string) = path.Substring(path.LastIndexOf '.' + 1)

let toJson (config: TrialConfig) : JsonNode =
    let root = JsonObject()
    // Each mapping is made where its first key is written, so the text keeps the table's order.
    let rec mapping (path: string) : JsonObject =
        if path = "" then root
        else
            let parent = mapping (parentOf path)
            match parent[leafOf path] with
            | :? JsonObject as existing -> existing
            | _ ->
                let created = JsonObject()
                parent.Add(leafOf path, created)
                created
    for f in fields do
        (mapping (parentOf f.Path)).Add(leafOf f.Path, f.Write config)
    root :> JsonNode

let toText (indented: bool) (config: TrialConfig) =
    (toJson config).ToJsonString(JsonSerializerOptions(WriteIndented = indented))

/// Reads what `toText` wrote (as the node tree YamlReader makes of the JSON text, which keeps
/// lines and columns for errors) back into the config it was written from. Every key must be
/// there and no other; it checks the form and the types, not the ranges (see Specs.ReadTrialConfig).
let read (document: Node) : Result<TrialConfig, SpecError list> =
    let errors = ResizeArray<SpecError>()
    let keys = fields |> List.map _.Path
    let nodeAt path = if path = "" then Some document else NodePath.tryFind path document
    let rec checkKeys (path: string) (node: Node) =
        match node with
        | Mapping(entries, _) ->
            for entry in entries do
                let child = if path = "" then entry.Key else path + "." + entry.Key
                if List.contains child sections then checkKeys child entry.Value
                elif not (List.contains child keys) then
                    let siblings = (sections @ keys) |> List.filter (fun key -> parentOf key = path) |> List.map leafOf
                    errors.Add(SpecError.at entry.KeyPosition child ($"unknown key '{entry.Key}'" + Suggestion.hint siblings entry.Key))
        | other -> errors.Add(SpecError.at (Node.position other) path $"expected a mapping of keys, found {Node.describe other}")
    checkKeys "" document
    // A missing key is reported once, as the outermost mapping or key that is missing, where the
    // mapping it is missing from begins; under something that is not a mapping, checkKeys said so.
    let missing = Collections.Generic.HashSet<string>()
    let rec outermostMissing path =
        if parentOf path <> "" && (nodeAt (parentOf path)).IsNone then outermostMissing (parentOf path) else path
    let reportMissing path =
        let absent = outermostMissing path
        match nodeAt (parentOf absent) with
        | Some(Mapping(_, position)) when missing.Add absent ->
            errors.Add(SpecError.at position absent "missing; a trial config written by exp has every key")
        | _ -> ()
    // The decoder's defaults only give the record its shape: every key is then read from the text.
    let shape = TrialDecoder.decode (Decoding()) (Mapping([], Node.position document))
    let config =
        fields
        |> List.fold
            (fun config f ->
                match nodeAt f.Path with
                | None ->
                    reportMissing f.Path
                    config
                | Some node ->
                    match f.Read node config with
                    | Ok config -> config
                    | Error message ->
                        errors.Add(SpecError.at (Node.position node) f.Path message)
                        config)
            shape
    if errors.Count = 0 then Ok config else Error(List.ofSeq errors)

/// The keys of `document`, the canonical JSON of `config`, that a spec may set: all but the
/// ones the spec derives for this config.
let specKeys (config: TrialConfig) (document: Node) : Node =
    fields |> List.filter (fun f -> f.DerivedIn config) |> List.fold (fun node f -> NodePath.remove f.Path node) document

let private effectiveBeta = "loss.effective_beta"
let private effectiveSigma = "loss.effective_sigma"

/// The keys of the `derived` params.
let derivedKeys = [ effectiveBeta; effectiveSigma ]

/// The params derived from the config (not part of its id): the Gaussian beta-VAE it trains,
/// its sigma a number or `learned` / `optimal`. Written like the other params.
let derived (config: TrialConfig) : (string * string) list =
    let loss = config.Loss
    [ effectiveBeta, PythonText.str (value (Conventions.effectiveBeta loss))
      effectiveSigma, PythonText.str (sigma.Write(loss.NoiseSigma, loss.Sigma)) ]

/// Every leaf as a dotted path and its text, in the config's order: the MLflow params,
/// written as MLflow's Python client writes a param (str of the value: 1e-05, True, [32, 64]).
let flatten (config: TrialConfig) : (string * string) list =
    let rec walk prefix (node: JsonNode) =
        match node with
        | :? JsonObject as o ->
            [ for pair in o do
                  yield! walk (if prefix = "" then pair.Key else prefix + "." + pair.Key) pair.Value ]
        | leaf -> [ prefix, PythonText.str leaf ]
    walk "" (toJson config)

let private shortHash (text: string) =
    let hash = Security.Cryptography.SHA256.HashData(Text.Encoding.UTF8.GetBytes(text))
    Convert.ToHexString(hash, 0, 6).ToLowerInvariant()

/// Same config, same id, on every machine; any change of any value, a new id.
let id (config: TrialConfig) = shortHash (toText false config)

/// Same experiment and trials, same sweep id.
let sweepId (experiment: string) (trialIds: string seq) = shortHash (experiment + "\n" + String.Join("\n", trialIds))

/// A number as people write it in a trial name: 1e-4, 0.85, 128.
let compactNumber (number: float) =
    let magnitude = abs number
    if number = Math.Round number && magnitude < 1e6 then
        (int64 number).ToString(CultureInfo.InvariantCulture)
    elif magnitude < 1e-3 || magnitude >= 1e4 then
        number.ToString("0.###e0", CultureInfo.InvariantCulture)
    else
        number.ToString("G4", CultureInfo.InvariantCulture)
