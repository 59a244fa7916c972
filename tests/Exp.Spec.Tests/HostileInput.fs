/// Input written to break the reader (alias bombs, endless files, deep nesting) and values
/// that pass a casual check but fail later (names MLflow refuses, sizes that overflow):
/// each is a located error, found quickly and in little memory.
module Exp.Spec.Tests.HostileInput

open System
open Xunit
open Exp.Spec

let private errorsOf (text: string) =
    let result = Specs.Parse(text, "spec.yaml")
    Assert.False(result.Succeeded, "expected the spec to be rejected")
    result.Errors |> Array.map string |> List.ofArray

let private assertHas (fragment: string) (errors: string list) =
    Assert.True(errors |> List.exists (fun e -> e.Contains fragment), sprintf "no error contains %A in:\n%s" fragment (String.concat "\n" errors))

/// "Billion laughs": nine levels of nine aliases of the level below, 9^9 values in about 400 bytes.
let private aliasBomb =
    let levels =
        [ for level in 1..8 ->
              let previous = $"l{level - 1}"
              $"  l{level}: &l{level} [" + String.Join(",", Array.create 9 $"*{previous}") + "]" ]
    "experiment: bomb\nanchors:\n  l0: &l0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n"
    + String.Join("\n", levels)
    + "\nsweep:\n  parameters:\n    model.channels: [*l8]\n"

[<Fact>]
let ``an alias bomb is refused at the alias that crosses the bound`` () =
    let errors = errorsOf aliasBomb
    let error = Assert.Single(errors)
    // Level 6 is the first to stand for more than 100,000 values (9^6 = 531,441).
    Assert.StartsWith("spec.yaml:8:", error)
    Assert.Contains("with its aliases (*name) expanded the document holds more than 100,000 values", error)

[<Fact>]
let ``aliases that repeat a list a few times are read as before`` () =
    let plan = Specs.Parse("experiment: x\nsweep:\n  parameters:\n    model.channels: [&small [16, 32], &large [32, 64]]\n    eval.proposal_k: [[1, 10], [1, 100]]\nmodel: {channels: *small}\n", "spec.yaml")
    Assert.True(plan.Succeeded, plan.Errors |> Array.map string |> String.concat "\n")
    Assert.Equal(4, plan.Plan.Trials.Length)

[<Fact>]
let ``a spec file that never ends is refused after a mebibyte, not read to its end`` () =
    let result = Specs.Load("/dev/zero", [||])
    let error = Assert.Single(result.Errors) |> string
    Assert.Equal("/dev/zero:1:1: longer than a spec may be (1,048,576 characters; a spec is a few KB of YAML): check that this is the spec you meant", error)

[<Fact>]
let ``lists nested deeper than any spec are a located error, not a stack overflow`` () =
    let depth = 100000
    let text = "experiment: x\nmodel:\n  channels: " + String('[', depth) + String(']', depth) + "\n"
    let error = errorsOf text |> List.exactlyOne
    Assert.Equal("spec.yaml:3:76: lists and mappings nested more than 64 deep; a spec nests a few levels: check the brackets and indentation", error)

[<Fact>]
let ``every duplicate among forty thousand keys is reported at its line`` () =
    let keys = [ for i in 1..40000 -> $"  key{i % 20000}: 1" ]
    let errors = errorsOf ("experiment: x\nmodel:\n" + String.Join("\n", keys) + "\n")
    let duplicates = errors |> List.filter (fun e -> e.Contains "duplicate key")
    Assert.Equal(20000, duplicates.Length)
    Assert.Contains("spec.yaml:20003:3: key1: duplicate key 'key1' (first given at line 3); remove one of them", duplicates)

[<Fact>]
let ``every one of forty thousand unknown keys is reported at its line`` () =
    let keys = [ for i in 1..40000 -> $"  key{i}: 1" ]
    let errors = errorsOf ("experiment: x
model:
" + String.Join("\n", keys) + "\n")
    Assert.Equal(40000, errors.Length)
    Assert.Equal("spec.yaml:40002:3: model.key40000: unknown key 'key40000'; expected one of: architecture, channels, kernel_size, batch_norm, activation, latent_dim, upsample, output", List.last errors)

[<Fact>]
let ``an empty channel list is located at the key`` () =
    errorsOf "experiment: x\nmodel:\n  channels: []\n"
    |> List.exactlyOne
    |> fun error -> Assert.Equal("spec.yaml:3:13: model.channels: a conv model needs at least one stride-2 layer, e.g. channels: [32, 64]", error)

[<Fact>]
let ``an experiment name over MLflow's 500 characters is refused where it is written`` () =
    Assert.True(Specs.Parse("experiment: " + String('e', 500) + "\n", "spec.yaml").Succeeded)
    errorsOf ("train: {epochs: 1}\nexperiment: " + String('e', 501) + "\n")
    |> assertHas "spec.yaml:2:13: experiment: the name is 501 characters; MLflow allows at most 500: shorten it"

[<Fact>]
let ``an experiment name with a NUL is refused`` () =
    errorsOf "experiment: \"kl\\0sweep\"\n"
    |> assertHas "spec.yaml:1:13: experiment: the name has the control character U+0000 at character 3; an experiment name is printable text: remove it"

[<Fact>]
let ``an experiment name from MLFLOW_EXPERIMENT_NAME is checked as well`` () =
    let result = Specs.Parse("train: {epochs: 1}\n", "spec.yaml", [||], String('e', 600))
    let error = Assert.Single(result.Errors) |> string
    Assert.Equal("spec.yaml:1:1: experiment: MLFLOW_EXPERIMENT_NAME (the experiment, as the spec names none): the name is 600 characters; MLflow allows at most 500: shorten it", error)

[<Fact>]
let ``synthetic data larger than one array can hold is refused at its limit`` () =
    let errors = errorsOf "experiment: x\ndata:\n  dataset: synthetic\n  train_limit: 2000000000\n  test_limit: 1000\n"
    let error = List.exactlyOne errors
    // 32x32 grey images: Array.MaxLength / 1024 of them fit.
    let most = int64 Array.MaxLength / 1024L
    Assert.Equal($"spec.yaml:4:16: data.train_limit: synthetic data draws its 2000000000 images of 32x32x1 pixels into one array, at most {most} images at this size (about 2 GiB); lower it", error)
