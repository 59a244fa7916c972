/// The canonical JSON of a trial config, in the spec's own keys and words: what
/// `exp plan --json` prints, what a trial's id is hashed from, what MLflow params are.
module Exp.Spec.Planning.TrialJson

open System
open System.Globalization
open System.Text.Json
open System.Text.Json.Nodes
open Exp.Spec

let private mapping (pairs: (string * JsonNode) list) =
    let node = JsonObject()
    for key, value in pairs do
        node.Add(key, value)
    node :> JsonNode

let private value (v: 'T) = JsonValue.Create<'T>(v) :> JsonNode
let private text (v: string) = JsonValue.Create(v) :> JsonNode
let private optional (v: Nullable<int>) = if v.HasValue then value v.Value else null
let private name table v = text (Names.nameOf table v)

let toJson (config: TrialConfig) : JsonNode =
    let data = config.Data
    let model = config.Model
    let loss = config.Loss
    let train = config.Train
    let eval = config.Eval
    mapping
        [ "seed", value config.Seed
          "data",
          mapping
              [ "dataset", name Names.datasets data.Dataset
                "path", text data.Path
                "image_size", value data.ImageSize
                "channels", value data.Channels
                "train_limit", optional data.TrainLimit
                "test_limit", optional data.TestLimit
                "validation", value data.Validation ]
          "model",
          mapping
              [ "architecture", name Names.architectures model.Architecture
                "channels", JsonArray(model.Channels |> Array.map value) :> JsonNode
                "kernel_size", value model.KernelSize
                "batch_norm", value model.BatchNorm
                "activation", name Names.activations model.Activation
                "latent_dim", value model.LatentDim
                "upsample", name Names.upsamples model.Upsample
                "output", name Names.outputs model.Output ]
          "loss",
          mapping
              [ "reconstruction", name Names.reconstructions loss.Reconstruction
                "noise_sigma", (if loss.Sigma = SigmaMode.Fixed then value loss.NoiseSigma else name Names.sigmaModes loss.Sigma)
                "kl_weight", value loss.KlWeight
                "kl_mode", name Names.klModes loss.KlMode
                "kl_warmup_epochs", value loss.KlWarmupEpochs
                "free_bits", value loss.FreeBits ]
          "train",
          mapping
              [ "epochs", value train.Epochs
                "batch_size", value train.BatchSize
                "optimizer", name Names.optimizers train.Optimizer
                "lr", value train.Lr
                "weight_decay", value train.WeightDecay
                "device", text train.Device
                "log_every", value train.LogEvery
                // Only when turned off: the check changes no number of a trial that trains, and
                // leaving the default out keeps the ids of the trials that ran before the key existed.
                if not train.NumericsCheck then
                    "numerics_check", value false ]
          "eval",
          mapping
              [ "sample_count", value eval.SampleCount
                "sample_std", value eval.SampleStd
                "reconstruction_count", value eval.ReconstructionCount
                "iwae_samples", value eval.IwaeSamples
                "batch_size", value eval.BatchSize
                "test_iwae_samples", value eval.TestIwaeSamples
                "proposal_comparison", value eval.ProposalComparison
                "proposal_k", JsonArray(eval.ProposalK |> Array.map value) :> JsonNode
                "proposal_images", value eval.ProposalImages
                "proposal_repeats", value eval.ProposalRepeats ] ]

let toText (indented: bool) (config: TrialConfig) =
    (toJson config).ToJsonString(JsonSerializerOptions(WriteIndented = indented))

let private effectiveBeta = "loss.effective_beta"
let private effectiveSigma = "loss.effective_sigma"

/// The keys of the `derived` params.
let derivedKeys = [ effectiveBeta; effectiveSigma ]

/// The params derived from the config (not part of its id): the Gaussian beta-VAE it trains,
/// its sigma a number or `learned` / `optimal`. Written like the other params.
let derived (config: TrialConfig) : (string * string) list =
    let loss = config.Loss
    let sigma = if loss.Sigma = SigmaMode.Fixed then value loss.NoiseSigma else name Names.sigmaModes loss.Sigma
    [ effectiveBeta, PythonText.str (value (Conventions.effectiveBeta loss))
      effectiveSigma, PythonText.str sigma ]

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
