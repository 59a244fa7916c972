/// The resolved plan of every example spec, snapshotted: a change to defaults or to
/// expansion shows up as a snapshot diff.
module Exp.Spec.Tests.ExampleSnapshots

open System.IO
open System.Text.Json
open System.Text.Json.Nodes
open Xunit
open Exp.Spec
open Exp.Testing

let examples: TheoryData<string> = ExampleSpecs.files ()

[<Theory; MemberData(nameof examples)>]
let ``the plan of each example spec`` (file: string) =
    let result = Specs.Load(Path.Combine(RepoPaths.Experiments, file), [||])
    Assert.True(result.Succeeded, result.Errors |> Array.map string |> String.concat "\n")
    let trials = JsonArray()
    for trial in result.Plan.Trials do
        let entry = JsonObject()
        entry["id"] <- JsonValue.Create(trial.Id)
        entry["name"] <- JsonValue.Create(trial.Name)
        entry["config"] <- JsonNode.Parse(trial.ConfigJson)
        trials.Add(entry)
    Snapshots.Match(trials.ToJsonString(JsonSerializerOptions(WriteIndented = true)), Path.GetFileNameWithoutExtension file)

[<Fact>]
let ``there are example specs to snapshot`` () =
    Assert.True(examples.Count >= 4, $"expected the four example specs in {RepoPaths.Experiments}")
