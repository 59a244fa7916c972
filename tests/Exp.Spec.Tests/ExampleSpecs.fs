/// The example specs under experiments/, found by glob so that a new example is covered without editing a test.
module Exp.Spec.Tests.ExampleSpecs

open System.IO
open Xunit
open Exp.Testing

/// Each example's file name, in order.
let files () : TheoryData<string> =
    let data = TheoryData<string>()
    for file in Directory.GetFiles(RepoPaths.Experiments, "*.yaml") |> Array.sort do
        data.Add(Path.GetFileName file)
    data
