/// The canonical JSON of a trial config, as a job file hands it to the trial process: whatever
/// the runner writes reads back as the same config, and what is not such a config is refused
/// at the key.
module Exp.Spec.Tests.CanonicalJson

open System
open System.IO
open System.Text.Json.Nodes
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Exp.Spec
open Exp.Spec.Decoding
open Exp.Testing

/// What the trial process does with its job's config.
let private readBack (json: string) = Specs.ReadTrialConfig(json, "job.json (config)")

let private errorsOf (json: string) =
    let result = readBack json
    Assert.False(result.Succeeded, "expected the config to be refused")
    result.Errors |> Array.map string |> List.ofArray

let private assertHas (fragment: string) (errors: string list) =
    Assert.True(errors |> List.exists (fun e -> e.Contains fragment), sprintf "no error contains %A in:\n%s" fragment (String.concat "\n" errors))

/// Positive finite doubles of every magnitude (their shortest text is what must read back), and round ones.
let private positive =
    Gen.oneof
        [ ArbMap.defaults |> ArbMap.generate<float> |> Gen.map abs |> Gen.filter (fun x -> Double.IsFinite x && x > 0.0)
          Gen.elements [ 1e-4; 3e-4; 0.1; 0.85; 1.0; 2.5; 300.0 ] ]

let private nonNegative = Gen.oneof [ positive; Gen.constant 0.0 ]

/// Any text, non-ASCII and control characters included: the JSON writer escapes them.
let private anyText = ArbMap.defaults |> ArbMap.generate<string> |> Gen.filter (isNull >> not)

let private pick (table: (string * 'T) list) = table |> List.map snd |> Gen.elements

/// Configs as the spec decoder makes them: every value within its range, the combinations it
/// accepts, the sigma it derives for mse and the one it holds for learned and optimal.
let private configs: Gen<TrialConfig> =
    gen {
        let! dataset = pick Names.datasets
        let! architecture = pick Names.architectures
        let! layers = if dataset = DatasetKind.FashionMnist then Gen.choose (1, 2) else Gen.choose (1, 4)
        let! imageSize =
            if dataset = DatasetKind.FashionMnist then Gen.constant 28
            else Gen.choose (1, 8) |> Gen.map (fun k -> k <<< layers)
        let! channels = if dataset = DatasetKind.FashionMnist then Gen.constant 1 else Gen.elements [ 1; 3 ]
        let! path =
            match dataset with
            | DatasetKind.Idx
            | DatasetKind.ImageFolder -> anyText |> Gen.filter (String.IsNullOrWhiteSpace >> not)
            | _ -> Gen.oneof [ anyText; Gen.constant "" ]
        let! batchSize = Gen.choose (1, 256)
        let! validation = Gen.oneof [ Gen.choose (1, 50) |> Gen.map (fun p -> float p / 100.0); positive |> Gen.map (fun x -> x / (1.0 + x) / 2.0) |> Gen.filter (fun v -> v > 0.0) ]
        // Enough images that the held-out share leaves a full batch to train on, and no more synthetic ones than
        // the engine's one array of pixels holds (the decoder refuses more).
        let mostImages =
            if dataset = DatasetKind.Synthetic then int (min 60000L (int64 Array.MaxLength / int64 (channels * imageSize * imageSize)))
            else 60000
        let! trainLimit = Gen.oneof [ Gen.constant (Nullable()); Gen.choose (2 * batchSize + 2, mostImages) |> Gen.map Nullable ]
        let! testLimit = Gen.oneof [ Gen.constant (Nullable()); Gen.choose (1, 10000) |> Gen.map Nullable ]
        let! widths = Gen.choose (1, 128) |> Gen.arrayOfLength layers
        let! kernelSize = Gen.choose (1, min imageSize 7)
        let! reconstruction = pick Names.reconstructions
        let! klMode = pick Names.klModes
        let! klWeight =
            match reconstruction, klMode with
            | _, KlMode.Fraction -> Gen.choose (1, 9999) |> Gen.map (fun w -> float w / 10000.0)
            // Up to weights whose derived sigma is finite (sqrt(w D / 2)).
            | Reconstruction.Mse, _ -> positive |> Gen.filter (fun w -> w < 1e100)
            | _ -> nonNegative
        let! sigma, sigmaMode =
            if reconstruction = Reconstruction.Mse then
                Gen.constant (Conventions.mseSigma (klMode, klWeight, channels * imageSize * imageSize), SigmaMode.Fixed)
            else
                Gen.oneof
                    [ positive |> Gen.map (fun s -> s, SigmaMode.Fixed)
                      pick Names.sigmaModes |> Gen.map (fun mode -> TrialDecoder.unsetSigma, mode) ]
        let! device = Gen.oneof [ Gen.elements [ "auto"; "cpu"; "cuda" ]; Gen.choose (0, 15) |> Gen.map (fun n -> $"cuda:{n}") ]
        let! proposalK = Gen.choose (1, 2000) |> Gen.listOf |> Gen.map (List.distinct >> List.sort) |> Gen.filter (List.isEmpty >> not)
        let! seed = Gen.choose (0, Int32.MaxValue)
        let! model =
            gen {
                let! batchNorm = Gen.elements [ true; false ]
                let! activation = pick Names.activations
                let! latentDim = Gen.choose (1, 2048)
                let! upsample = pick Names.upsamples
                let! output = pick Names.outputs
                return
                    { Architecture = architecture
                      Channels = widths
                      KernelSize = kernelSize
                      BatchNorm = batchNorm
                      Activation = activation
                      LatentDim = latentDim
                      Upsample = upsample
                      Output = output }
            }
        let! loss =
            gen {
                let! warmup = Gen.choose (0, 50)
                let! freeBits = nonNegative
                return
                    { Reconstruction = reconstruction
                      NoiseSigma = sigma
                      Sigma = sigmaMode
                      KlWeight = klWeight
                      KlMode = klMode
                      KlWarmupEpochs = warmup
                      FreeBits = freeBits }
            }
        let! train =
            gen {
                let! epochs = Gen.choose (1, 1000)
                let! optimizer = pick Names.optimizers
                let! lr = positive
                let! weightDecay = nonNegative
                let! logEvery = Gen.choose (1, 1000)
                let! numericsCheck = Gen.elements [ true; false ]
                return
                    { Epochs = epochs
                      BatchSize = batchSize
                      Optimizer = optimizer
                      Lr = lr
                      WeightDecay = weightDecay
                      Device = device
                      LogEvery = logEvery
                      NumericsCheck = numericsCheck }
            }
        let! eval =
            gen {
                let! counts = Gen.choose (0, 256) |> Gen.arrayOfLength 4
                let! sampleStd = positive
                let! evalBatch = Gen.choose (1, 1024)
                let! comparison = Gen.elements [ true; false ]
                let! images = Gen.choose (1, 500)
                let! repeats = Gen.choose (2, 10)
                return
                    { SampleCount = counts[0]
                      SampleStd = sampleStd
                      ReconstructionCount = counts[1]
                      IwaeSamples = counts[2]
                      BatchSize = evalBatch
                      TestIwaeSamples = counts[3]
                      ProposalComparison = comparison
                      ProposalK = Array.ofList proposalK
                      ProposalImages = images
                      ProposalRepeats = repeats }
            }
        return
            { Seed = seed
              Data =
                { Dataset = dataset
                  Path = path
                  ImageSize = imageSize
                  Channels = channels
                  TrainLimit = trainLimit
                  TestLimit = testLimit
                  Validation = validation }
              Model = model
              Loss = loss
              Train = train
              Eval = eval }
    }

[<Property(MaxTest = 300)>]
let ``every config reads back from its canonical JSON as the same config`` () =
    Prop.forAll (Arb.fromGen configs) (fun config ->
        [ true; false ]
        |> List.forall (fun indented ->
            let result = readBack (Planning.TrialJson.toText indented config)
            if not result.Succeeded then
                failwithf "refused:\n%s\nin:\n%s" (result.Errors |> Array.map string |> String.concat "\n") (Planning.TrialJson.toText true config)
            result.Config = config && Specs.TrialId result.Config = Specs.TrialId config))

[<Fact>]
let ``the generated configs take every word of every choice and every kind of sigma`` () =
    let sample = Gen.sample 2000 configs
    let covers (table: (string * 'T) list) (get: TrialConfig -> 'T) =
        for name, value in table do
            Assert.True(sample |> Array.exists (fun c -> get c = value), $"no generated config has {name}")
    covers Names.datasets _.Data.Dataset
    covers Names.architectures _.Model.Architecture
    covers Names.activations _.Model.Activation
    covers Names.upsamples _.Model.Upsample
    covers Names.outputs _.Model.Output
    covers Names.reconstructions _.Loss.Reconstruction
    covers Names.klModes _.Loss.KlMode
    covers Names.optimizers _.Train.Optimizer
    covers [ "fixed", SigmaMode.Fixed; "learned", SigmaMode.Learned; "optimal", SigmaMode.Optimal ] _.Loss.Sigma
    covers [ "batch norm", true; "no batch norm", false ] _.Model.BatchNorm
    covers [ "no train_limit", false; "a train_limit", true ] _.Data.TrainLimit.HasValue

let examples: TheoryData<string> = ExampleSpecs.files ()

[<Theory; MemberData(nameof examples)>]
let ``every trial of every example reads back from the JSON its job carries`` (file: string) =
    let plan = Specs.Load(Path.Combine(RepoPaths.Experiments, file), [||])
    Assert.True(plan.Succeeded, plan.Errors |> Array.map string |> String.concat "\n")
    for trial in plan.Plan.Trials do
        let result = readBack trial.ConfigJson
        Assert.True(result.Succeeded, $"{trial.Name}: " + (result.Errors |> Array.map string |> String.concat "\n"))
        Assert.Equal(trial.Config, result.Config)

/// A config as the runner writes it, to edit.
let private written (spec: string) =
    let plan = Specs.Parse("experiment: x\n" + spec, "spec.yaml")
    Assert.True(plan.Succeeded, plan.Errors |> Array.map string |> String.concat "\n")
    plan.Plan.Base.ConfigJson

[<Fact>]
let ``a missing, an unknown and a mistyped key are each refused at their place`` () =
    let json = written ""
    // A missing key is reported at the mapping it is missing from.
    let lines = json.Split('\n')
    let modelLine = lines |> Array.findIndex (fun line -> line.Contains "\"model\": {")
    let at = $"job.json (config):{modelLine + 1}:{lines[modelLine].IndexOf '{' + 1}"
    errorsOf (json.Replace("\"latent_dim\": 16,", "")) |> assertHas $"{at}: model.latent_dim: missing"
    errorsOf (json.Replace("\"latent_dim\": 16,", "\"latent_dims\": 16,")) |> assertHas "model.latent_dims: unknown key 'latent_dims'; did you mean 'latent_dim'?"
    errorsOf (json.Replace("\"latent_dim\": 16,", "\"latent_dim\": \"16\",")) |> assertHas "model.latent_dim: expected a whole number, found the string \"16\""
    errorsOf (json.Replace("\"path\": \"/usr/share/datasets/fashion-mnist\"", "\"path\": 12")) |> assertHas "data.path: expected a string in double quotes, found '12'"

[<Fact>]
let ``a missing section or a config that is no mapping is one error, not one per key`` () =
    let withoutEval = JsonNode.Parse(written "").AsObject()
    withoutEval.Remove "eval" |> ignore
    Assert.Equal<string list>([ "job.json (config):1:1: eval: missing; a trial config written by exp has every key" ], errorsOf (withoutEval.ToJsonString()))
    Assert.Equal<string list>([ "job.json (config):1:1: expected a mapping of keys, found a list" ], errorsOf "[1, 2]")

[<Fact>]
let ``a value the spec refuses is refused in a job too, by the same rule`` () =
    errorsOf ((written "").Replace("\"latent_dim\": 16", "\"latent_dim\": 0"))
    |> assertHas "model.latent_dim: must be at least 1, found 0"

[<Fact>]
let ``a derived sigma that is not the one the spec derives is refused`` () =
    let json = written "loss:\n  reconstruction: mse\n  kl_weight: 1.0e-4\n  kl_mode: fraction\n"
    let config = (readBack json).Config
    let derived = Planning.PythonText.float config.Loss.NoiseSigma
    Assert.Equal(sqrt (1e-4 / 0.9999 * 784.0 / 2.0), config.Loss.NoiseSigma, 12)
    errorsOf (json.Replace($"\"noise_sigma\": {config.Loss.NoiseSigma:R}", "\"noise_sigma\": 0.5"))
    |> assertHas $"loss.noise_sigma: is 0.5, but the spec's rules make it {derived} from the other keys"

[<Fact>]
let ``learned and optimal are read as words, quoted or not, in a spec as in a job`` () =
    for word in [ "learned"; "optimal" ] do
        for written in [ word; $"\"{word}\""; $"'{word}'" ] do
            let plan = Specs.Parse($"experiment: x\nloss:\n  noise_sigma: {written}\n", "spec.yaml")
            Assert.True(plan.Succeeded, plan.Errors |> Array.map string |> String.concat "\n")
            Assert.Equal(word, (Names.nameOf Names.sigmaModes plan.Plan.Base.Config.Loss.Sigma))
