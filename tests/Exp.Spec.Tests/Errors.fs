/// Broken specs: every error is reported, each at file:line:column, with the key path.
module Exp.Spec.Tests.Errors

open Xunit
open Exp.Spec

let private errorsOf (text: string) (overrides: string list) =
    let result = Specs.Parse(text, "spec.yaml", Array.ofList overrides)
    Assert.False(result.Succeeded, "expected the spec to be rejected")
    result.Errors |> Array.map string |> List.ofArray

let private assertHas (fragment: string) (errors: string list) =
    Assert.True(errors |> List.exists (fun e -> e.Contains fragment), sprintf "no error contains %A in:\n%s" fragment (String.concat "\n" errors))

[<Fact>]
let ``a tab in the indentation is named with its line and the fix`` () =
    errorsOf "experiment: x\nmodel:\n\tlatent_dim: 3\n" []
    |> assertHas "spec.yaml:3:1: a tab in the indentation; YAML indents with spaces only"

[<Fact>]
let ``bad indentation is a located YAML error with a hint`` () =
    errorsOf "experiment: x\nmodel:\n  latent_dim: 3\n kernel_size: 3\n" []
    |> assertHas "spec.yaml:4:2: invalid YAML"
    
[<Fact>]
let ``bad indentation hint says to check the indentation`` () =
    errorsOf "experiment: x\nmodel:\n  latent_dim: 3\n kernel_size: 3\n" []
    |> assertHas "check the indentation"

[<Fact>]
let ``a misspelled key suggests the nearest known key`` () =
    errorsOf "experiment: x\nloss:\n  kl_wieght: 0.1\n" []
    |> assertHas "spec.yaml:3:3: loss.kl_wieght: unknown key 'kl_wieght'; did you mean 'kl_weight'?"

[<Fact>]
let ``an unknown sweep key lists each expected key once`` () =
    // metric and replicates are each read twice by the sweep's decoder (their node for a position, then their value).
    errorsOf "experiment: x\nsweep:\n  foobarbaz: 1\n" []
    |> assertHas "spec.yaml:3:3: sweep.foobarbaz: unknown key 'foobarbaz'; expected one of: method, parameters, seed, trials, metric, goal, scheduler, startup_trials, replicates"

[<Fact>]
let ``a misspelled section suggests the section`` () =
    errorsOf "experiment: x\nmodle:\n  latent_dim: 3\n" []
    |> assertHas "spec.yaml:2:1: modle: unknown key 'modle'; did you mean 'model'?"

[<Fact>]
let ``a wrong type says what was expected and what was found`` () =
    let errors = errorsOf "experiment: x\ntrain:\n  epochs: two\n  batch_size: \"64\"\n" []
    errors |> assertHas "spec.yaml:3:11: train.epochs: expected a whole number, found 'two'"
    errors |> assertHas "spec.yaml:4:15: train.batch_size: expected a whole number, found the string \"64\"; remove the quotes"

[<Fact>]
let ``out of range values are errors`` () =
    let errors =
        errorsOf "experiment: x\nmodel:\n  latent_dim: 0\nloss:\n  noise_sigma: 0\n  kl_mode: fraction\n  kl_weight: 1.5\ntrain:\n  lr: -0.1\n" []
    errors |> assertHas "spec.yaml:3:15: model.latent_dim: must be at least 1, found 0"
    errors |> assertHas "spec.yaml:5:16: loss.noise_sigma: must be greater than 0 (or 'learned' or 'optimal'), found 0"
    errors |> assertHas "spec.yaml:7:14: loss.kl_weight: in fraction mode kl_weight"
    errors |> assertHas "spec.yaml:9:7: train.lr: must be greater than 0, found -0.1"

[<Fact>]
let ``an unknown enum value suggests the nearest`` () =
    errorsOf "experiment: x\nmodel:\n  activation: leakyrelu\n" []
    |> assertHas "model.activation: unknown value 'leakyrelu'; did you mean 'leaky_relu'?"

[<Fact>]
let ``an image size the conv strides cannot halve is an error`` () =
    errorsOf "experiment: x\ndata:\n  dataset: synthetic\n  image_size: 28\nmodel:\n  channels: [32, 64, 128]\n" []
    |> assertHas "spec.yaml:6:13: model.channels: 3 stride-2 layers halve the image 3 times, so data.image_size must be divisible by 8; found 28"

[<Fact>]
let ``an unknown sweep path is an error at the path with a suggestion`` () =
    errorsOf "experiment: x\nsweep:\n  parameters:\n    loss.kl_wieght: [1.0e-4, 1.0e-3]\n" []
    |> assertHas "spec.yaml:4:5: loss.kl_wieght: unknown key 'kl_wieght'; did you mean 'kl_weight'?"

[<Fact>]
let ``a sweep path outside the trial config is an error`` () =
    errorsOf "experiment: x\nsweep:\n  parameters:\n    modle.latent_dim: [4, 8]\n" []
    |> assertHas "spec.yaml:4:5: modle.latent_dim: sweep path 'modle.latent_dim' does not point into the trial config"

[<Fact>]
let ``an empty grid is an error`` () =
    errorsOf "experiment: x\nsweep:\n  parameters:\n    loss.kl_weight: []\n" []
    |> assertHas "spec.yaml:4:21: sweep.parameters.loss.kl_weight: an empty grid"

[<Fact>]
let ``a random sweep without trials is an error`` () =
    errorsOf "experiment: x\nsweep:\n  method: random\n  parameters:\n    train.lr: {distribution: loguniform, min: 1.0e-4, max: 1.0e-2}\n" []
    |> assertHas "spec.yaml:3:3: sweep.trials: a random sweep needs `trials`"

[<Fact>]
let ``a bad swept value is reported at the value`` () =
    errorsOf "experiment: x\nsweep:\n  parameters:\n    model.latent_dim: [8, 0]\n" []
    |> assertHas "spec.yaml:4:27: model.latent_dim: must be at least 1, found 0"

[<Fact>]
let ``a missing experiment is an error when MLFLOW_EXPERIMENT_NAME is not set either`` () =
    errorsOf "seed: 1\n" [] |> assertHas "spec.yaml:1:1: experiment: missing required key 'experiment'"

[<Fact>]
let ``a duplicate key is an error`` () =
    errorsOf "experiment: x\nseed: 1\nseed: 2\n" []
    |> assertHas "spec.yaml:3:1: seed: duplicate key 'seed' (first given at line 2)"

[<Fact>]
let ``overrides are validated like the file`` () =
    let errors = errorsOf "experiment: x\n" [ "train.epoch=3"; "model.latent_dim=zero"; "nonsense" ]
    errors |> assertHas "override 'train.epoch=3':1:1: train.epoch: unknown key 'epoch'; did you mean 'epochs'?"
    errors |> assertHas "model.latent_dim: expected a whole number, found 'zero'"
    errors |> assertHas "override 'nonsense':1:1: an override is key.path=value"

[<Fact>]
let ``a multirun override is refused where it cannot sweep`` () =
    errorsOf "experiment: x\nsweep:\n  method: random\n  trials: 2\n  parameters:\n    train.lr: {distribution: loguniform, min: 1.0e-4, max: 1.0e-2}\n" [ "loss.kl_weight=0.1,1" ]
    |> assertHas "override 'loss.kl_weight=0.1,1':1:1: loss.kl_weight: several values (key=a,b,c) add an axis to a grid sweep, and this spec's sweep is random"
    errorsOf "experiment: x\n" [ "loss.kl_weight=0.1,0.1" ] |> assertHas "loss.kl_weight: the value 0.1 is listed twice"
    errorsOf "experiment: x\n" [ "loss.kl_weight=0.1," ] |> assertHas "loss.kl_weight: an empty value between commas"
    errorsOf "experiment: x\n" [ "train.epochs=1,two" ] |> assertHas "train.epochs: expected a whole number, found 'two'"

[<Fact>]
let ``all errors of a file are reported together`` () =
    let errors =
        errorsOf "experiment: x\nmodel:\n  latent_dim: 0\n  chanels: [32]\ntrain:\n  epochs: two\nsweep:\n  parameters:\n    loss.kl_weight: []\n" []
    Assert.Equal(4, errors.Length)

[<Fact>]
let ``a missing file names the path`` () =
    let result = Specs.Load("/nonexistent/spec.yaml", [||])
    Assert.Equal("/nonexistent/spec.yaml:1:1: no such spec file; check the path", string result.Errors[0])

[<Fact>]
let ``an mlp without hidden layers is an error`` () =
    errorsOf "experiment: x\nmodel:\n  architecture: mlp\n  channels: []\n" []
    |> assertHas "model.channels: an mlp needs at least one hidden layer"

[<Fact>]
let ``parameters in a list sweep are an error`` () =
    errorsOf "experiment: x\nsweep:\n  method: list\n  parameters:\n    seed: [1, 2]\n  trials:\n    - {seed: 3}\n" []
    |> assertHas "sweep.parameters: a list sweep takes its values from `trials`"

[<Fact>]
let ``a tracking uri exp cannot write to is an error`` () =
    errorsOf "experiment: x\ntracking:\n  uri: s3://bucket/runs\n" []
    |> assertHas "spec.yaml:3:8: tracking.uri: 's3://bucket/runs' is not supported"
    errorsOf "experiment: x\n" [ "tracking.uri=http://" ] |> assertHas "is not a valid server address"

[<Fact>]
let ``a combination error points at the value that was written when the named key took its default`` () =
    errorsOf "experiment: x\ndata:\n  dataset: synthetic\nsweep:\n  parameters:\n    data.image_size: [32, 30]\n" []
    |> assertHas "spec.yaml:6:27: model.channels: 2 stride-2 layers halve the image 2 times"

[<Fact>]
let ``a random range is checked at both ends whatever the seed draws`` () =
    errorsOf "experiment: x\nsweep:\n  method: random\n  trials: 2\n  parameters:\n    loss.kl_weight: {distribution: uniform, min: -1.0e-9, max: 1.0}\n" []
    |> assertHas "spec.yaml:6:5: loss.kl_weight: must be 0 or more, found -1E-09"
    errorsOf "experiment: x\nsweep:\n  method: random\n  trials: 2\n  parameters:\n    model.activation: {choice: [relu, rleu]}\n" []
    |> assertHas "model.activation: unknown value 'rleu'; did you mean 'relu'?"
    errorsOf "experiment: x\nsweep:\n  method: random\n  trials: 2\n  parameters:\n    model.latent_dim: {distribution: int_uniform, min: 1, max: 3000000000}\n" []
    |> assertHas "whole-number min and max within 32-bit range"

[<Fact>]
let ``an absurd trial count is refused at its line with the limit and why, without expanding anything`` () =
    let clock = System.Diagnostics.Stopwatch.StartNew()
    let random = errorsOf "experiment: x\nsweep:\n  method: random\n  trials: 100000000\n  parameters:\n    loss.kl_weight: {distribution: loguniform, min: 1.0e-5, max: 1.0}\n" []
    let grid =
        errorsOf
            "experiment: x\nsweep:\n  parameters:\n    model.latent_dim: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101]\n    train.batch_size: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100]\n"
            []
    Assert.InRange(clock.Elapsed.TotalSeconds, 0.0, 10.0)
    Assert.StartsWith("spec.yaml:4:11: sweep.trials: 100000000 trials is too many; a sweep has at most 10000 trials: each trial is its own MLflow run and process", Assert.Single random)
    Assert.StartsWith("spec.yaml:3:3: sweep.parameters: this grid has 10100 combinations (101 x 100); a sweep has at most 10000 trials", Assert.Single grid)

[<Fact>]
let ``a trial that cannot fit in the machine's memory is refused at the key to change, with the estimate`` () =
    let sixteenGiB = 16L * 1024L * 1024L * 1024L
    let result = Specs.Parse("experiment: x\nmodel:\n  latent_dim: 2000000000\n", "spec.yaml", [||], "", sixteenGiB)
    Assert.False(result.Succeeded)
    let error = string (Assert.Single result.Errors)
    Assert.StartsWith("spec.yaml:3:15: model.latent_dim: this trial needs about ", error)
    Assert.Contains(" TiB of memory to train: ", error)
    Assert.EndsWith("this machine has 16 GiB. Make model.latent_dim smaller", error)
    // A swept value is refused where the sweep wrote it.
    let swept = Specs.Parse("experiment: x\nsweep:\n  parameters:\n    train.batch_size: [64, 100000000]\n", "spec.yaml", [||], "", sixteenGiB)
    Assert.StartsWith("spec.yaml:4:28: train.batch_size: this trial needs about ", string (Assert.Single swept.Errors))
    // Every example fits in far less than this machine has.
    for path in System.IO.Directory.GetFiles(Exp.Testing.RepoPaths.Experiments, "*.yaml") do
        let example = Specs.Load(path, [||], "", 2L * 1024L * 1024L * 1024L)
        Assert.True(example.Succeeded, path + ": " + System.String.Join("\n", example.Errors))

[<Fact>]
let ``importance samples are decoded in bounded chunks, so many of them are no reason to refuse a trial`` () =
    let twoGiB = 2L * 1024L * 1024L * 1024L
    let main = System.IO.Path.Combine(Exp.Testing.RepoPaths.Experiments, "kl-sweep.yaml")
    let manySamples = Specs.Load(main, [| "eval.iwae_samples=5000"; "eval.test_iwae_samples=20000" |], "", twoGiB)
    Assert.True(manySamples.Succeeded, System.String.Join("\n", manySamples.Errors))
    // What does grow with evaluation is its batch, and the refusal names that key.
    let hugeBatch = Specs.Load(main, [| "eval.batch_size=1000000" |], "", twoGiB)
    Assert.Contains(": eval.batch_size: this trial needs about ", string (Assert.Single hugeBatch.Errors))
    Assert.EndsWith("Make eval.batch_size smaller", string (Assert.Single hugeBatch.Errors))

[<Fact>]
let ``a Slurm trial is checked against execution.slurm.mem, not the memory of the machine that submits it`` () =
    let oneGiB = 1024L * 1024L * 1024L
    let spec (execution: string) = $"experiment: x\ntrain:\n  batch_size: 20000\nexecution:\n{execution}"
    let needs = (Specs.Parse(spec "  launcher: local\n", "spec.yaml", [||], "", 0L).Plan.Base.Config |> Specs.EstimateMemory).TotalBytes
    Assert.InRange(needs, 2.0 * float oneGiB, 64.0 * float oneGiB)
    let megabytes (bytes: float) = int64 (bytes / 1024.0 / 1024.0)
    // On this 1 GiB machine the trial cannot run...
    let local = Specs.Parse(spec "  launcher: local\n", "spec.yaml", [||], "", oneGiB)
    Assert.EndsWith("this machine has 1 GiB. Make train.batch_size smaller", string (Assert.Single local.Errors))
    // ...but on Slurm it runs on a node with the memory it asks for: a login node's memory says nothing.
    let asked = Specs.Parse(spec $"  launcher: slurm\n  slurm:\n    mem: {megabytes (2.0 * needs)}\n", "spec.yaml", [||], "", oneGiB)
    Assert.True(asked.Succeeded, System.String.Join("\n", asked.Errors))
    let unknown = Specs.Parse(spec "  launcher: slurm\n", "spec.yaml", [||], "", oneGiB)
    Assert.True(unknown.Succeeded, System.String.Join("\n", unknown.Errors))
    // Too little asked for is refused at the key to change, with the other way out.
    let tooLittle = Specs.Parse(spec $"  launcher: slurm\n  slurm:\n    mem: {megabytes (needs / 2.0)}M\n", "spec.yaml", [||], "", 64L * oneGiB)
    let error = string (Assert.Single tooLittle.Errors)
    Assert.StartsWith("spec.yaml:3:15: train.batch_size: this trial needs about ", error)
    Assert.Contains("; execution.slurm.mem gives each trial ", error)
    Assert.EndsWith(". Make train.batch_size smaller or raise execution.slurm.mem", error)

[<Fact>]
let ``fraction mode refuses a weight of 1, which leaves no reconstruction term`` () =
    errorsOf "experiment: x\nloss:\n  kl_mode: fraction\n  kl_weight: 1\n" []
    |> assertHas "spec.yaml:4:14: loss.kl_weight: in fraction mode kl_weight 1 leaves nothing of the reconstruction term"

[<Fact>]
let ``mse has no sigma of its own to set, and no ELBO at weight 0`` () =
    let errors = errorsOf "experiment: x\nloss:\n  reconstruction: mse\n  noise_sigma: learned\n" []
    errors |> assertHas "spec.yaml:4:16: loss.noise_sigma: reconstruction: mse has no noise sigma of its own"
    errorsOf "experiment: x\nloss:\n  reconstruction: mse\n" [ "loss.kl_weight=0" ]
    |> assertHas "override 'loss.kl_weight=0':1:1: loss.kl_weight: reconstruction: mse with kl_weight 0 is a plain autoencoder"

[<Fact>]
let ``the new loss, data and eval keys are checked where they are written`` () =
    let errors =
        errorsOf
            "experiment: x\ndata:\n  validation: 1.5\nloss:\n  reconstruction: mes\n  kl_warmup_epochs: -1\n  free_bits: -0.5\neval:\n  proposal_k: [1, 100, 10]\n  proposal_repeats: 1\n  test_iwae_samples: -3\n"
            []
    errors |> assertHas "spec.yaml:3:15: data.validation: must lie strictly between 0 and 1, found 1.5"
    errors |> assertHas "spec.yaml:5:19: loss.reconstruction: unknown value 'mes'; did you mean 'mse'?"
    errors |> assertHas "spec.yaml:6:21: loss.kl_warmup_epochs: must be at least 0, found -1"
    errors |> assertHas "spec.yaml:7:14: loss.free_bits: must be 0 or more, found -0.5"
    errors |> assertHas "spec.yaml:9:15: eval.proposal_k: the ks must be distinct and in ascending order"
    errors |> assertHas "spec.yaml:10:21: eval.proposal_repeats: must be at least 2, found 1"
    errors |> assertHas "spec.yaml:11:22: eval.test_iwae_samples: must be at least 0, found -3"

[<Fact>]
let ``a validation share that leaves no full training batch is refused`` () =
    errorsOf "experiment: x\ndata:\n  train_limit: 100\n  validation: 0.5\ntrain:\n  batch_size: 64\n" []
    |> assertHas "spec.yaml:4:15: data.validation: data.validation 0.5 of 100 training images holds out 50 and trains on 50"
let private adaptive (sweep: string) = "experiment: x\ntrain:\n  epochs: 9\nsweep:\n" + sweep

[<Fact>]
let ``an unknown sweep metric suggests the nearest metric trials log`` () =
    errorsOf (adaptive "  metric: eval/elbow\n") []
    |> assertHas "spec.yaml:5:11: sweep.metric: 'eval/elbow' is not a metric trials log every epoch; did you mean 'eval/elbo'?"

[<Fact>]
let ``a test metric cannot be a sweep's objective`` () =
    errorsOf (adaptive "  metric: test/elbo\n") [] |> assertHas "test/ metrics are logged once at the end"

[<Fact>]
let ``a metric with no natural direction needs a goal`` () =
    errorsOf (adaptive "  metric: eval/sigma\n") [] |> assertHas "sweep.goal: eval/sigma has no natural direction"

[<Fact>]
let ``iwae as the objective needs iwae samples`` () =
    errorsOf (adaptive "  metric: eval/iwae\n") [] |> assertHas "sweep.metric: eval/iwae is logged only with eval.iwae_samples > 0"

[<Fact>]
let ``asha's settings are checked where they are written`` () =
    let errors =
        errorsOf (adaptive "  scheduler: {type: asha, min_epochs: 9, reduction_factor: 1}\n  parameters:\n    train.lr: [0.1, 0.01]\n") []
    errors |> assertHas "spec.yaml:5:60: sweep.scheduler.reduction_factor: must be at least 2, found 1"
    errors |> assertHas "spec.yaml:5:39: sweep.scheduler.min_epochs: min_epochs (9) must be below max_epochs (9"

[<Fact>]
let ``asha's max_epochs and a different train.epochs are an error`` () =
    errorsOf (adaptive "  scheduler: {type: asha, max_epochs: 27}\n") []
    |> assertHas "spec.yaml:3:11: train.epochs: train.epochs is 9 but sweep.scheduler.max_epochs is 27"

[<Fact>]
let ``train.epochs cannot be swept under a scheduler`` () =
    errorsOf (adaptive "  scheduler: asha\n  parameters:\n    train.epochs: [3, 9]\n") []
    |> assertHas "spec.yaml:7:5: train.epochs: with sweep.scheduler every trial trains to the same max_epochs"

[<Fact>]
let ``an unknown scheduler suggests asha`` () =
    errorsOf (adaptive "  scheduler: ahsa\n") [] |> assertHas "spec.yaml:5:14: sweep.scheduler: unknown scheduler 'ahsa'; did you mean 'asha'?"

[<Fact>]
let ``tpe needs trials and parameters; startup_trials belongs to tpe`` () =
    errorsOf (adaptive "  method: tpe\n") [] |> assertHas "sweep.trials: a tpe sweep needs `trials`"
    errorsOf (adaptive "  method: tpe\n  trials: 5\n") [] |> assertHas "sweep.parameters: a tpe sweep needs parameters"
    errorsOf (adaptive "  method: random\n  trials: 5\n  startup_trials: 2\n  parameters:\n    train.lr: [0.1]\n") []
    |> assertHas "spec.yaml:7:19: sweep.startup_trials: startup_trials applies to method: tpe"

[<Fact>]
let ``replicates and a swept seed are refused at the replicates key`` () =
    errorsOf "experiment: x\nsweep:\n  replicates: 3\n  parameters:\n    seed: [0, 1]\n" []
    |> assertHas "spec.yaml:3:15: sweep.replicates: replicates run each configuration at the seeds seed, seed + 1, ...; remove seed from the swept values"

[<Fact>]
let ``replicates count towards the largest sweep and must be at least 1`` () =
    errorsOf "experiment: x\nsweep:\n  replicates: 0\n" [] |> assertHas "sweep.replicates"
    errorsOf "experiment: x\nsweep:\n  replicates: 20\n  method: random\n  trials: 600\n  parameters:\n    train.lr: {distribution: loguniform, min: 1.0e-4, max: 1.0e-2}\n" []
    |> assertHas "600 configurations x 20 replicates are 12000 trials; a sweep has at most 10000 trials"

[<Fact>]
let ``train.numerics_check takes true or false, located`` () =
    errorsOf "experiment: x\ntrain:\n  numerics_check: sometimes\n" []
    |> assertHas "spec.yaml:3:19"
