/// Decodes the trial part of a spec (seed, data, model, loss, train, eval) into a
/// TrialConfig, with defaults for every key, and checks what spans several keys.
module Exp.Spec.Decoding.TrialDecoder

open System
open System.Text.RegularExpressions
open Exp.Spec
open Exp.Spec.Yaml

/// The top-level keys that belong to a trial; sweep paths must start with one of them.
let sections = [ "seed"; "data"; "model"; "loss"; "train"; "eval" ]

let private oneOrThree: Check<int> =
    fun channels -> if channels = 1 || channels = 3 then None else Some $"must be 1 (grey) or 3 (RGB), found {channels}"

let private devicePattern = Regex(@"^(auto|cpu|cuda(:\d+)?)$", RegexOptions.Compiled)

let private device: Check<string> =
    fun value ->
        if devicePattern.IsMatch value then None
        else Some $"expected auto, cpu, cuda or cuda:N, found '{value}'"

/// The sigma a config holds when noise_sigma is a word (a learned sigma then starts from the
/// data, optimal computes its own), and the default.
let unsetSigma = 1.0

/// A fixed positive sigma, `learned` or `optimal` (quoted or not: both are the same YAML string).
let private noiseSigma: Parse<float * SigmaMode> =
    fun node ->
        match node with
        | Scalar(text, _, _) when Names.sigmaModes |> List.exists (fun (name, _) -> name = text) ->
            Ok(unsetSigma, snd (Names.sigmaModes |> List.find (fun (name, _) -> name = text)))
        | _ ->
            match Parse.float node with
            | Ok sigma when sigma > 0.0 -> Ok(sigma, SigmaMode.Fixed)
            | Ok sigma -> Error $"must be greater than 0 (or 'learned' or 'optimal'), found {sigma}"
            | Error _ -> Error $"expected a positive number, 'learned' or 'optimal', found {Node.describe node}"

let private openFraction: Check<float> =
    fun value -> if value > 0.0 && value < 1.0 then None else Some $"must lie strictly between 0 and 1, found {value}"

/// The ks of the proposal comparison: distinct, ascending, each at least 1.
let private ascending: Check<int list> =
    fun ks ->
        if List.isEmpty ks then Some "must list at least one k, e.g. [1, 10, 100, 1000]"
        elif ks |> List.exists (fun k -> k < 1) then Some "every k must be at least 1"
        elif ks |> List.pairwise |> List.exists (fun (a, b) -> b <= a) then Some "the ks must be distinct and in ascending order, e.g. [1, 10, 100, 1000]"
        else None

let private data (section: Section) : DataConfig =
    let dataset = section.Field("dataset", DatasetKind.FashionMnist, Parse.choice Names.datasets)
    let defaultPath, defaultSize, defaultChannels =
        match dataset with
        | DatasetKind.FashionMnist -> DataDefaults.FashionMnistPath, 28, 1
        | DatasetKind.ImageFolder -> "", 64, 3
        | DatasetKind.Synthetic -> "", 32, 1
        | _ -> "", 28, 1
    let config =
        { Dataset = dataset
          Path = section.Field("path", defaultPath, Parse.string)
          ImageSize = section.Field("image_size", defaultSize, Parse.int, Check.atLeast 1)
          Channels = section.Field("channels", defaultChannels, Parse.int, oneOrThree)
          TrainLimit = section.Optional("train_limit", Parse.int, Check.atLeast 1) |> Option.toNullable
          TestLimit = section.Optional("test_limit", Parse.int, Check.atLeast 1) |> Option.toNullable
          Validation = section.Field("validation", 0.1, Parse.float, openFraction) }
    section.Finish()
    config

let private model (section: Section) : ModelConfig =
    let config =
        { Architecture = section.Field("architecture", Architecture.Conv, Parse.choice Names.architectures)
          Channels =
            section.Field("channels", [ 32; 64 ], Parse.list Parse.int, Check.each (Check.atLeast 1))
            |> Array.ofList
          KernelSize = section.Field("kernel_size", 4, Parse.int, Check.atLeast 1)
          BatchNorm = section.Field("batch_norm", false, Parse.bool)
          Activation = section.Field("activation", Activation.Relu, Parse.choice Names.activations)
          LatentDim = section.Field("latent_dim", 16, Parse.int, Check.atLeast 1)
          Upsample = section.Field("upsample", Upsample.Transposed, Parse.choice Names.upsamples)
          Output = section.Field("output", OutputActivation.Sigmoid, Parse.choice Names.outputs) }
    section.Finish()
    config

let private loss (section: Section) : LossConfig =
    let sigma, mode = section.Field("noise_sigma", (unsetSigma, SigmaMode.Fixed), noiseSigma)
    let config =
        { Reconstruction = section.Field("reconstruction", Reconstruction.Gaussian, Parse.choice Names.reconstructions)
          NoiseSigma = sigma
          Sigma = mode
          KlWeight = section.Field("kl_weight", 1.0, Parse.float, Check.nonNegative)
          KlMode = section.Field("kl_mode", KlMode.Beta, Parse.choice Names.klModes)
          KlWarmupEpochs = section.Field("kl_warmup_epochs", 0, Parse.int, Check.atLeast 0)
          FreeBits = section.Field("free_bits", 0.0, Parse.float, Check.nonNegative) }
    section.Finish()
    config

let private train (section: Section) : TrainConfig =
    let config =
        { Epochs = section.Field("epochs", 2, Parse.int, Check.atLeast 1)
          BatchSize = section.Field("batch_size", 128, Parse.int, Check.atLeast 1)
          Optimizer = section.Field("optimizer", OptimizerKind.Adam, Parse.choice Names.optimizers)
          Lr = section.Field("lr", 3.0e-4, Parse.float, Check.positive)
          WeightDecay = section.Field("weight_decay", 0.0, Parse.float, Check.nonNegative)
          Device = section.Field("device", "auto", Parse.string, device)
          LogEvery = section.Field("log_every", 10, Parse.int, Check.atLeast 1)
          NumericsCheck = section.Field("numerics_check", true, Parse.bool) }
    section.Finish()
    config

/// The evaluation batch defaults to the training batch: evaluating (without gradients) then never
/// needs more memory than a training step, so it never sets a process's peak. The former fixed
/// default of 500 did, in the main example, and that peak crept up over the epochs as glibc's heap
/// fragmented (the benchmarks' rss_growth_ratio).
let private eval (trainBatchSize: int) (section: Section) : EvalConfig =
    let config =
        { SampleCount = section.Field("sample_count", 64, Parse.int, Check.atLeast 0)
          SampleStd = section.Field("sample_std", 0.85, Parse.float, Check.positive)
          ReconstructionCount = section.Field("reconstruction_count", 32, Parse.int, Check.atLeast 0)
          IwaeSamples = section.Field("iwae_samples", 0, Parse.int, Check.atLeast 0)
          BatchSize = section.Field("batch_size", trainBatchSize, Parse.int, Check.atLeast 1)
          TestIwaeSamples = section.Field("test_iwae_samples", 1000, Parse.int, Check.atLeast 0)
          ProposalComparison = section.Field("proposal_comparison", false, Parse.bool)
          ProposalK = section.Field("proposal_k", [ 1; 10; 100; 1000 ], Parse.list Parse.int, ascending) |> Array.ofList
          ProposalImages = section.Field("proposal_images", 100, Parse.int, Check.atLeast 1)
          ProposalRepeats = section.Field("proposal_repeats", 5, Parse.int, Check.atLeast 2) }
    section.Finish()
    config

/// Checks that need several keys at once: values each fine alone that the engine
/// cannot honour together.
let private checkCombinations (decoding: Decoding) (root: Position) (config: TrialConfig) =
    // An error names the key to change; it points at whichever of the keys involved was
    // written (in the file, an override or a sweep), the named key first.
    let errorAbout (paths: string list) message =
        let position = paths |> List.rev |> List.fold (fun fallback path -> decoding.PositionOf(path, fallback)) root
        decoding.Error(position, paths.Head, message)
    let error path message = errorAbout [ path ] message
    let data = config.Data
    match data.Dataset with
    | DatasetKind.FashionMnist ->
        if data.ImageSize <> 28 then
            error "data.image_size" $"Fashion-MNIST images are 28x28, found {data.ImageSize}; set data.image_size: 28 or use dataset: image-folder"
        if data.Channels <> 1 then
            error "data.channels" $"Fashion-MNIST images are grey (1 channel), found {data.Channels}; set data.channels: 1"
        if data.TrainLimit.HasValue && data.TrainLimit.Value > 60000 then
            error "data.train_limit" $"Fashion-MNIST has 60000 training images, found {data.TrainLimit.Value}; lower it or leave it out"
        if data.TestLimit.HasValue && data.TestLimit.Value > 10000 then
            error "data.test_limit" $"Fashion-MNIST has 10000 held-out images, found {data.TestLimit.Value}; lower it or leave it out"
    | DatasetKind.Idx
    | DatasetKind.ImageFolder when String.IsNullOrWhiteSpace data.Path ->
        let name = Names.nameOf Names.datasets data.Dataset
        error "data.path" $"dataset {name} needs data.path: the folder that holds the images"
    | DatasetKind.Synthetic ->
        // The engine draws a synthetic split into one array of bytes, one per pixel, which
        // holds at most Array.MaxLength (about 2 GiB); more would overflow mid-run.
        let pixels = int64 data.Channels * int64 data.ImageSize * int64 data.ImageSize
        let most = int64 Array.MaxLength / pixels
        for key, limit in [ "data.train_limit", data.TrainLimit; "data.test_limit", data.TestLimit ] do
            if limit.HasValue && int64 limit.Value > most then
                error key $"synthetic data draws its {limit.Value} images of {data.ImageSize}x{data.ImageSize}x{data.Channels} pixels into one array, at most {most} images at this size (about 2 GiB); lower it"
    | _ -> ()
    let model = config.Model
    if model.Architecture = Architecture.Conv then
        let layers = model.Channels.Length
        if layers = 0 then
            error "model.channels" "a conv model needs at least one stride-2 layer, e.g. channels: [32, 64]"
        else
            let divisor = 1 <<< layers
            if data.ImageSize % divisor <> 0 then
                errorAbout
                    [ "model.channels"; "data.image_size" ]
                    $"{layers} stride-2 layers halve the image {layers} times, so data.image_size must be divisible by {divisor}; found {data.ImageSize}. Use fewer layers or another image size"
        if model.KernelSize > data.ImageSize then
            errorAbout [ "model.kernel_size"; "data.image_size" ] $"kernel_size {model.KernelSize} is larger than the {data.ImageSize}x{data.ImageSize} image"
    if model.Architecture = Architecture.Mlp && model.Channels.Length = 0 then
        error "model.channels" "an mlp needs at least one hidden layer, e.g. channels: [512, 256]"
    let loss = config.Loss
    if loss.KlMode = KlMode.Fraction && loss.KlWeight > 1.0 then
        errorAbout
            [ "loss.kl_weight"; "loss.kl_mode" ]
            $"in fraction mode kl_weight is the share of the loss given to the KL term and must lie in [0, 1], found {loss.KlWeight}; use kl_mode: beta for larger weights"
    elif loss.KlMode = KlMode.Fraction && loss.KlWeight = 1.0 then
        errorAbout
            [ "loss.kl_weight"; "loss.kl_mode" ]
            "in fraction mode kl_weight 1 leaves nothing of the reconstruction term: the model would learn to ignore its input. Use a weight below 1"
    if loss.Reconstruction = Reconstruction.Mse then
        if decoding.PositionOf("loss.noise_sigma", root) <> root then
            errorAbout
                [ "loss.noise_sigma"; "loss.reconstruction" ]
                "reconstruction: mse has no noise sigma of its own: its ELBO is reported at the effective sigma sqrt(w' D / 2) (see loss.effective_sigma). Remove noise_sigma, or use reconstruction: gaussian"
        elif loss.KlWeight = 0.0 then
            errorAbout
                [ "loss.kl_weight"; "loss.reconstruction" ]
                "reconstruction: mse with kl_weight 0 is a plain autoencoder, a Gaussian VAE at sigma 0 with no ELBO to report. Use a positive weight (the notes use 1e-4 in fraction mode)"
    let validation = data.Validation
    if data.TrainLimit.HasValue && validation > 0.0 && validation < 1.0 then
        let held = max 1 (int (floor (float data.TrainLimit.Value * validation)))
        let kept = data.TrainLimit.Value - held
        if held < 1 || kept < config.Train.BatchSize then
            errorAbout
                [ "data.validation"; "data.train_limit"; "train.batch_size" ]
                $"data.validation {validation} of {data.TrainLimit.Value} training images holds out {held} and trains on {kept}: both need at least one image, and training needs a full batch of {config.Train.BatchSize}. Change the share, the limit or the batch size"

/// Decodes the trial keys of `root`. Other top-level keys are the caller's to check.
let decode (decoding: Decoding) (root: Node) : TrialConfig =
    let top = Section(decoding, "", root)
    let seed = top.Field("seed", 0, Parse.int, Check.atLeast 0)
    let data = data (top.Section "data")
    let model = model (top.Section "model")
    let loss = loss (top.Section "loss")
    let train = train (top.Section "train")
    let config =
        { Seed = seed
          Data = data
          Model = model
          Loss = loss
          Train = train
          Eval = eval train.BatchSize (top.Section "eval") }
    checkCombinations decoding (Node.position root) config
    // With mse the sigma is not chosen but derived: the one at which the loss is a beta = 1 ELBO.
    let loss = config.Loss
    let hasMseSigma = loss.KlWeight > 0.0 && not (loss.KlMode = KlMode.Fraction && loss.KlWeight >= 1.0)
    if loss.Reconstruction = Reconstruction.Mse && hasMseSigma then
        let dimensions = config.Data.Channels * config.Data.ImageSize * config.Data.ImageSize
        { config with
            Loss =
                { config.Loss with
                    NoiseSigma = Conventions.mseSigma (config.Loss.KlMode, config.Loss.KlWeight, dimensions)
                    Sigma = SigmaMode.Fixed } }
    else
        config
