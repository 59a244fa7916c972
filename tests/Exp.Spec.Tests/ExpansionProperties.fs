/// Properties of sweep expansion over generated sweeps.
module Exp.Spec.Tests.ExpansionProperties

open System
open System.Globalization
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Exp.Spec
open Exp.Spec.Yaml
open Exp.Spec.Sweep

let private invariant (x: float) = x.ToString("R", CultureInfo.InvariantCulture)

/// Distinct positive values for one grid parameter.
let private gridValues = Gen.choose (1, 64) |> Gen.listOfLength 4 |> Gen.map List.distinct

let private gridSpecs =
    gen {
        let! latent = gridValues
        let! batch = gridValues
        let! epochs = Gen.choose (1, 3) |> Gen.listOfLength 3 |> Gen.map List.distinct
        let line path (values: int list) =
            let listed = values |> List.map string |> String.concat ", "
            $"    {path}: [{listed}]\n"
        let text =
            "experiment: prop\nsweep:\n  parameters:\n"
            + line "model.latent_dim" latent
            + line "train.batch_size" batch
            + line "train.epochs" epochs
        return text, latent.Length * batch.Length * epochs.Length
    }

let private load text =
    let result = Specs.Parse(text, "prop.yaml")
    if not result.Succeeded then
        failwithf "%s" (result.Errors |> Array.map string |> String.concat "\n")
    result.Plan

[<Property>]
let ``a grid has the product of the value counts as trials`` () =
    Prop.forAll (Arb.fromGen gridSpecs) (fun (text, expected) -> (load text).Trials.Length = expected)

type private Bounds = { Low: float; High: float; Seed: int; Trials: int }

let private bounds =
    gen {
        let! exponent = Gen.choose (-8, -2)
        let! span = Gen.choose (1, 4)
        let! seed = Gen.choose (0, 100000)
        let! trials = Gen.choose (1, 25)
        return { Low = Math.Pow(10.0, float exponent); High = Math.Pow(10.0, float (exponent + span)); Seed = seed; Trials = trials }
    }

let private randomSpec (b: Bounds) =
    $"experiment: prop\nsweep:\n  method: random\n  trials: {b.Trials}\n  seed: {b.Seed}\n  parameters:\n"
    + $"    train.lr: {{distribution: loguniform, min: {invariant b.Low}, max: {invariant b.High}}}\n"
    + $"    eval.sample_std: {{distribution: uniform, min: {invariant b.Low}, max: {invariant b.High}}}\n"
    + "    model.latent_dim: {distribution: int_uniform, min: 3, max: 9}\n"

[<Property>]
let ``every random draw lies within its bounds`` () =
    Prop.forAll (Arb.fromGen bounds) (fun b ->
        (load (randomSpec b)).Trials
        |> Array.forall (fun t ->
            let c = t.Config
            c.Train.Lr >= b.Low && c.Train.Lr <= b.High
            && c.Eval.SampleStd >= b.Low && c.Eval.SampleStd <= b.High
            && c.Model.LatentDim >= 3 && c.Model.LatentDim <= 9))

[<Property>]
let ``the same seed gives the same plan`` () =
    Prop.forAll (Arb.fromGen bounds) (fun b ->
        let first = load (randomSpec b)
        let second = load (randomSpec b)
        (first.Trials |> Array.map _.Id) = (second.Trials |> Array.map _.Id))

[<Property>]
let ``a different seed gives a different plan`` () =
    Prop.forAll (Arb.fromGen bounds) (fun b ->
        let first = load (randomSpec b)
        let second = load (randomSpec { b with Seed = b.Seed + 1 })
        first.Trials[0].Id <> second.Trials[0].Id)

[<Property>]
let ``ids are unique within a plan`` () =
    Prop.forAll (Arb.fromGen gridSpecs) (fun (text, _) ->
        let ids = (load text).Trials |> Array.map _.Id
        (Array.distinct ids).Length = ids.Length)

[<Property>]
let ``ids do not depend on the order of keys in the file`` () =
    Prop.forAll (Arb.fromGen (Gen.choose (1, 512))) (fun latent ->
        let a = load $"experiment: x\nmodel:\n  latent_dim: {latent}\n  kernel_size: 4\ntrain:\n  epochs: 1\n"
        let b = load $"experiment: x\ntrain:\n  epochs: 1\nmodel:\n  kernel_size: 4\n  latent_dim: {latent}\n"
        a.Trials[0].Id = b.Trials[0].Id)

let private noPosition: Position = { Source = "spec.yaml"; Line = 1; Column = 1 }

let private assignments (trials: Assignment list list) =
    trials |> List.map (List.map (fun a -> a.Path, Node.display a.Value))

[<Fact>]
let ``replicates copy each trial once per seed, from the spec's seed, one configuration's copies in a row`` () =
    let trials =
        [ [ { Assignment.Path = "loss.kl_weight"; Position = noPosition; Value = Scalar("0.1", false, noPosition) } ]
          [ { Assignment.Path = "loss.kl_weight"; Position = noPosition; Value = Scalar("1", false, noPosition) } ] ]
    let replicated = Expansion.replicate 3 7 noPosition trials
    Assert.Equal<(string * string) list list>(
        [ [ "loss.kl_weight", "0.1"; "seed", "7" ]
          [ "loss.kl_weight", "0.1"; "seed", "8" ]
          [ "loss.kl_weight", "0.1"; "seed", "9" ]
          [ "loss.kl_weight", "1"; "seed", "7" ]
          [ "loss.kl_weight", "1"; "seed", "8" ]
          [ "loss.kl_weight", "1"; "seed", "9" ] ],
        assignments replicated)

[<Fact>]
let ``one replicate leaves the trials as they are`` () =
    let trials = [ []; [ { Assignment.Path = "train.lr"; Position = noPosition; Value = Scalar("0.1", false, noPosition) } ] ]
    Assert.Equal<(string * string) list list>(assignments trials, assignments (Expansion.replicate 1 5 noPosition trials))

[<Property>]
let ``a grid with replicates has configurations times replicates trials, each configuration at every seed once`` () =
    Prop.forAll (Arb.fromGen (Gen.zip gridSpecs (Gen.choose (1, 4)))) (fun ((text, configurations), replicates) ->
        let plan = load (text.Replace("sweep:\n", $"seed: 3\nsweep:\n  replicates: {replicates}\n"))
        let groups = plan.Trials |> Array.groupBy _.ConfigGroup
        plan.Trials.Length = configurations * replicates
        && groups.Length = configurations
        && groups |> Array.forall (fun (_, members) ->
            (members |> Array.map _.Config.Seed |> Array.sort) = Array.init replicates ((+) 3)
            && (members |> Array.map _.Replicate |> Array.sort) = Array.init replicates ((+) 1)))
