/// Specs that are valid: defaults, overrides, names, ids.
module Exp.Spec.Tests.Resolution

open Xunit
open Exp.Spec

let plan (text: string) (overrides: string list) =
    let result = Specs.Parse(text, "spec.yaml", Array.ofList overrides)
    Assert.True(result.Succeeded, result.Errors |> Array.map string |> String.concat "\n")
    result.Plan

[<Fact>]
let ``a three-line spec is a valid single trial with defaults`` () =
    let plan = plan "experiment: tiny\ntrain:\n  epochs: 1\n" []
    let trial = Assert.Single(plan.Trials)
    Assert.Equal("base", trial.Name)
    Assert.Equal(DatasetKind.FashionMnist, trial.Config.Data.Dataset)
    Assert.Equal("/usr/share/datasets/fashion-mnist", trial.Config.Data.Path)
    Assert.Equal(1, trial.Config.Train.Epochs)
    Assert.Equal(16, trial.Config.Model.LatentDim)
    Assert.Equal("runs", plan.Tracking.Local)

[<Fact>]
let ``overrides apply on top of the file`` () =
    let plan = plan "experiment: x\ntrain:\n  epochs: 2\n" [ "train.epochs=20"; "model.channels=[16,32]"; "loss.noise_sigma=learned" ]
    let config = plan.Trials[0].Config
    Assert.Equal(20, config.Train.Epochs)
    Assert.Equal<int[]>([| 16; 32 |], config.Model.Channels)
    Assert.Equal(SigmaMode.Learned, config.Loss.Sigma)

[<Fact>]
let ``the evaluation batch follows the training batch unless it is set, also when the training batch is swept`` () =
    let swept = plan "experiment: x\nsweep:\n  parameters:\n    train.batch_size: [32, 256]\n" []
    Assert.Equal<int[]>([| 32; 256 |], swept.Trials |> Array.map _.Config.Eval.BatchSize)
    let set = plan "experiment: x\ntrain:\n  batch_size: 32\neval:\n  batch_size: 1000\n" []
    Assert.Equal(1000, set.Trials[0].Config.Eval.BatchSize)

[<Fact>]
let ``an override of a swept path fixes it`` () =
    let plan =
        plan "experiment: x\nsweep:\n  parameters:\n    loss.kl_weight: [0.1, 0.2]\n    model.latent_dim: [4, 8]\n" [ "loss.kl_weight=0.5" ]
    Assert.Equal(2, plan.Trials.Length)
    Assert.All(plan.Trials, fun t -> Assert.Equal(0.5, t.Config.Loss.KlWeight))

[<Fact>]
let ``key=a,b,c on the command line sweeps those values, as Hydra's multirun does`` () =
    let single = plan "experiment: x\n" [ "loss.kl_weight=0.1,1,10"; "model.channels=[16,32]" ]
    Assert.Equal("grid", single.SweepMethod)
    Assert.Equal<float[]>([| 0.1; 1.0; 10.0 |], single.Trials |> Array.map _.Config.Loss.KlWeight)
    Assert.All(single.Trials, fun t -> Assert.Equal<int[]>([| 16; 32 |], t.Config.Model.Channels))
    // The spec's own sweep of the key gives way to the command line's values; its other axes stay, in a product.
    let swept =
        plan "experiment: x\nsweep:\n  parameters:\n    loss.kl_weight: [0.5, 0.7]\n    model.latent_dim: [4, 8]\n" [ "loss.kl_weight=0.1,1" ]
    Assert.Equal<(int * float) list>(
        [ 4, 0.1; 4, 1.0; 8, 0.1; 8, 1.0 ],
        swept.Trials |> Array.map (fun t -> t.Config.Model.LatentDim, t.Config.Loss.KlWeight) |> List.ofArray |> List.sort)

[<Fact>]
let ``trial names are built from the swept values`` () =
    let plan =
        plan "experiment: x\nsweep:\n  parameters:\n    loss.kl_weight: [1.0e-4]\n    loss.noise_sigma: [0.1, learned]\n" []
    Assert.Equal<string[]>([| "kl_weight=1e-4,noise_sigma=0.1"; "kl_weight=1e-4,noise_sigma=learned" |], plan.Trials |> Array.map _.Name)

[<Fact>]
let ``the same leaf under two sections is named by its full path`` () =
    let plan = plan "experiment: x\nsweep:\n  parameters:\n    train.batch_size: [64]\n    eval.batch_size: [100]\n" []
    Assert.Equal("train.batch_size=64,eval.batch_size=100", plan.Trials[0].Name)

[<Fact>]
let ``a list sweep runs the listed trials`` () =
    let plan =
        plan "experiment: x\nsweep:\n  method: list\n  trials:\n    - {loss.kl_weight: 1.0e-4, model.latent_dim: 8}\n    - {loss.kl_weight: 1.0e-3}\n" []
    Assert.Equal<float[]>([| 1e-4; 1e-3 |], plan.Trials |> Array.map _.Config.Loss.KlWeight)
    Assert.Equal<int[]>([| 8; 16 |], plan.Trials |> Array.map _.Config.Model.LatentDim)

[<Fact>]
let ``W&B-style values and value parameters are accepted in a grid`` () =
    let plan = plan "experiment: x\nsweep:\n  parameters:\n    loss.kl_weight: {values: [0.1, 0.2]}\n    seed: {value: 3}\n" []
    Assert.Equal(2, plan.Trials.Length)
    Assert.All(plan.Trials, fun t -> Assert.Equal(3, t.Config.Seed))

[<Fact>]
let ``the id changes with any value and only with the config`` () =
    let spec = "experiment: x\ntrain:\n  epochs: 2\n"
    let baseId = (plan spec []).Trials[0].Id
    Assert.Equal(baseId, (plan spec []).Trials[0].Id)
    Assert.Equal(baseId, (plan "experiment: other-name\nexecution:\n  parallel: 4\ntrain:\n  epochs: 2\n" []).Trials[0].Id)
    Assert.NotEqual<string>(baseId, (plan spec [ "train.epochs=3" ]).Trials[0].Id)
    Assert.NotEqual<string>(baseId, (plan spec [ "eval.sample_std=0.9" ]).Trials[0].Id)

[<Fact>]
let ``random draws that give the same config run once, with a warning`` () =
    let plan = plan "experiment: x\nsweep:\n  method: random\n  trials: 10\n  parameters:\n    model.activation: {choice: [relu, gelu]}\n" []
    Assert.Equal(2, plan.Trials.Length)
    Assert.Equal(8, plan.Warnings.Length)

[<Fact>]
let ``params are every resolved value under its dotted path`` () =
    let trial = (plan "experiment: x\nloss:\n  noise_sigma: learned\n" []).Trials[0]
    let parameters = trial.Params |> Array.map (fun p -> p.Key, p.Value) |> Map.ofArray
    Assert.Equal("learned", parameters["loss.noise_sigma"])
    Assert.Equal("[32, 64]", parameters["model.channels"])
    Assert.Equal("fashion-mnist", parameters["data.dataset"])
    Assert.Equal("None", parameters["data.train_limit"])

[<Fact>]
let ``params read as MLflow's Python client writes the same values, and ids do not depend on how`` () =
    let trial = (plan "experiment: x\nloss:\n  kl_weight: 1e-5\n  noise_sigma: 1\ntrain:\n  lr: 0.0001\nmodel:\n  batch_norm: true\n" []).Trials[0]
    let parameters = trial.Params |> Array.map (fun p -> p.Key, p.Value) |> Map.ofArray
    Assert.Equal("1e-05", parameters["loss.kl_weight"])
    Assert.Equal("1.0", parameters["loss.noise_sigma"])
    Assert.Equal("0.0001", parameters["train.lr"])
    Assert.Equal("True", parameters["model.batch_norm"])
    Assert.Equal("16", parameters["model.latent_dim"])
    // The id hashes the canonical JSON, which keeps its own number format.
    Assert.Contains("\"kl_weight\":1E-05", Planning.TrialJson.toText false trial.Config)

[<Fact>]
let ``the base trial is the spec without its sweep`` () =
    let plan = plan "experiment: x\nloss:\n  kl_weight: 0.5\nsweep:\n  parameters:\n    loss.kl_weight: [0.1, 0.2]\n" []
    Assert.Equal(0.5, plan.Base.Config.Loss.KlWeight)
    Assert.DoesNotContain(plan.Base.Id, plan.Trials |> Array.map _.Id)

[<Fact>]
let ``the sweep id follows the trials`` () =
    let spec = "experiment: x\nsweep:\n  parameters:\n    loss.kl_weight: [0.1, 0.2]\n"
    Assert.Equal((plan spec []).SweepId, (plan spec []).SweepId)
    Assert.NotEqual<string>((plan spec []).SweepId, (plan spec [ "train.epochs=5" ]).SweepId)
    Assert.NotEqual<string>((plan spec []).SweepId, (plan (spec.Replace("experiment: x", "experiment: y")) []).SweepId)

[<Fact>]
let ``MLFLOW_EXPERIMENT_NAME names the experiment only when the spec does not`` () =
    let fromEnvironment = Specs.Parse("seed: 1\n", "spec.yaml", [||], "from-env")
    Assert.True(fromEnvironment.Succeeded)
    Assert.Equal("from-env", fromEnvironment.Plan.Experiment)
    Assert.Equal("from-spec", Specs.Parse("experiment: from-spec\n", "spec.yaml", [||], "from-env").Plan.Experiment)

let private tpe =
    "experiment: x\ntrain:\n  epochs: 9\nsweep:\n  method: tpe\n  trials: 20\n  startup_trials: 4\n  seed: 3\n  metric: eval/bits_per_dim\n"
    + "  scheduler: {type: asha, min_epochs: 1, reduction_factor: 3}\n  parameters:\n"
    + "    train.lr: {distribution: loguniform, min: 1.0e-4, max: 1.0e-2}\n    model.activation: {choice: [relu, silu]}\n"

[<Fact>]
let ``a tpe plan lists its random start and the search that follows`` () =
    let plan = (Specs.Parse(tpe, "spec.yaml")).Plan
    Assert.Equal("tpe", plan.SweepMethod)
    Assert.Equal(4, plan.Trials.Length)
    Assert.Equal(20, plan.Search.Trials)
    Assert.Equal(Goal.Minimize, plan.Objective.Goal)
    Assert.Equal<int[]>([| 1; 3; 9 |], plan.Scheduler.Rungs)
    Assert.Equal<string[]>([| "relu"; "silu" |], plan.Search.Parameters[1].Choices)
    // Proposal n's random draw depends on the seed and n alone; it is the plan's trial n.
    let third = plan.Search.Resolve(3, plan.Search.RandomValues 3)
    Assert.Equal(plan.Trials[2].Id, third.Id)
    Assert.Equal(plan.Trials[2].Name, third.Name)

[<Fact>]
let ``asha's max_epochs is every trial's train.epochs`` () =
    let plan =
        (Specs.Parse("experiment: x\nsweep:\n  scheduler: {type: asha, max_epochs: 12, reduction_factor: 2}\n  parameters:\n    train.lr: [0.1, 0.01]\n", "spec.yaml")).Plan
    Assert.All(plan.Trials, fun t -> Assert.Equal(12, t.Config.Train.Epochs))
    Assert.Equal<int[]>([| 1; 2; 4; 8; 12 |], plan.Scheduler.Rungs)

[<Fact>]
let ``a sweep under a scheduler is another sweep than the same trials without it`` () =
    let grid = "experiment: x\ntrain:\n  epochs: 9\nsweep:\n  parameters:\n    train.lr: [0.1, 0.01]\n"
    let plain = (Specs.Parse(grid, "spec.yaml")).Plan
    let scheduled = (Specs.Parse(grid + "  scheduler: asha\n", "spec.yaml")).Plan
    Assert.Equal<string[]>(plain.Trials |> Array.map _.Id, scheduled.Trials |> Array.map _.Id)
    Assert.NotEqual<string>(plain.SweepId, scheduled.SweepId)

let private replicated =
    "experiment: x\nseed: 4\nsweep:\n  replicates: 2\n  parameters:\n    loss.kl_weight: [0.1, 1.0]\n"

[<Fact>]
let ``replicates run each configuration at the next seeds, named by their seed and grouped by configuration`` () =
    let plan = plan replicated []
    Assert.Equal<string[]>(
        [| "kl_weight=0.1,seed=4"; "kl_weight=0.1,seed=5"; "kl_weight=1,seed=4"; "kl_weight=1,seed=5" |],
        plan.Trials |> Array.map _.Name)
    Assert.Equal<int[]>([| 4; 5; 4; 5 |], plan.Trials |> Array.map _.Config.Seed)
    Assert.Equal<int[]>([| 1; 2; 1; 2 |], plan.Trials |> Array.map _.Replicate)
    Assert.Equal(4, (plan.Trials |> Array.map _.Id |> Array.distinct).Length)
    Assert.Equal<string[]>(
        [| plan.Trials[0].ConfigGroup; plan.Trials[0].ConfigGroup; plan.Trials[2].ConfigGroup; plan.Trials[2].ConfigGroup |],
        plan.Trials |> Array.map _.ConfigGroup)
    Assert.NotEqual<string>(plan.Trials[0].ConfigGroup, plan.Trials[2].ConfigGroup)

[<Fact>]
let ``the first replicate is the trial the sweep runs without replicates, so adding replicates keeps what ran`` () =
    let single = plan (replicated.Replace("  replicates: 2\n", "")) []
    let withReplicates = plan replicated []
    Assert.Equal<string[]>(single.Trials |> Array.map _.Id, withReplicates.Trials |> Array.filter (fun t -> t.Replicate = 1) |> Array.map _.Id)
    Assert.Equal<string[]>(single.Trials |> Array.map _.Id, single.Trials |> Array.map _.ConfigGroup)

[<Fact>]
let ``a swept seed makes replicates of one configuration too`` () =
    let plan = plan "experiment: x\nsweep:\n  parameters:\n    seed: [0, 1, 2]\n" []
    Assert.Single(plan.Trials |> Array.map _.ConfigGroup |> Array.distinct) |> ignore
    Assert.Equal<int[]>([| 1; 2; 3 |], plan.Trials |> Array.map _.Replicate)

[<Fact>]
let ``a tpe search with replicates proposes each configuration once per seed`` () =
    let plan = (Specs.Parse(tpe.Replace("  seed: 3\n", "  seed: 3\n  replicates: 3\n"), "spec.yaml")).Plan
    Assert.Equal(60, plan.Search.Trials)
    Assert.Equal(12, plan.Trials.Length)
    Assert.Equal<int[]>([| 1; 1; 1; 2 |], [| 1; 2; 3; 4 |] |> Array.map plan.Search.Configuration)
    let values = plan.Search.RandomValues 2
    let replicates = [| 4; 5; 6 |] |> Array.map (fun number -> plan.Search.Resolve(number, values))
    Assert.Equal<int[]>([| 0; 1; 2 |], replicates |> Array.map _.Config.Seed)
    Assert.Equal<int[]>([| 1; 2; 3 |], replicates |> Array.map _.Replicate)
    Assert.Single(replicates |> Array.map _.ConfigGroup |> Array.distinct) |> ignore
    Assert.Equal<string[]>(plan.Trials[3..5] |> Array.map _.Id, replicates |> Array.map _.Id)

[<Fact>]
let ``the numerics check is on unless train.numerics_check is false, and the trial's job config carries that`` () =
    let on = (plan "experiment: x\n" []).Trials[0]
    let off = (plan "experiment: x\ntrain:\n  numerics_check: false\n" []).Trials[0]
    Assert.True(on.Config.Train.NumericsCheck)
    Assert.False(off.Config.Train.NumericsCheck)
    // The default is left out of the config's JSON, so the ids of trials from before the key stay.
    Assert.DoesNotContain("numerics_check", on.ConfigJson)
    Assert.NotEqual<string>(on.Id, off.Id)
    // What the runner hands a trial (its config JSON) reads back to the same config and id.
    let read = Specs.ReadTrialConfig(off.ConfigJson, "job.json (config)")
    Assert.False(read.Config.Train.NumericsCheck)
    Assert.Equal<string>(off.Id, Specs.TrialId read.Config)
