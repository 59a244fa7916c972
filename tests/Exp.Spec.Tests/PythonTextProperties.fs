/// Params are written as Python's str() writes the value: checked against outputs of
/// CPython's repr, and as properties over all doubles.
module Exp.Spec.Tests.PythonTextProperties

open System
open System.Globalization
open System.Text.Json.Nodes
open Xunit
open FsCheck.FSharp
open FsCheck.Xunit
open Exp.Spec.Planning

/// (value, what CPython 3 prints for repr(value)).
let knownOutputs: obj[] seq =
    [ 1e-05, "1e-05"
      0.0001, "0.0001"
      1.0, "1.0"
      1e16, "1e+16"
      1e15, "1000000000000000.0"
      0.1, "0.1"
      0.1 + 0.2, "0.30000000000000004"
      1.0 / 3.0, "0.3333333333333333"
      0.00025, "0.00025"
      9.999e-05, "9.999e-05"
      1.5e-07, "1.5e-07"
      -2.5, "-2.5"
      100.0, "100.0"
      0.85, "0.85"
      1234.5, "1234.5"
      9007199254740992.0, "9007199254740992.0"
      12345678901234567.0, "1.2345678901234568e+16"
      1e22, "1e+22"
      1e100, "1e+100"
      5e-324, "5e-324"
      1.7976931348623157e308, "1.7976931348623157e+308"
      -0.0, "-0.0"
      0.0, "0.0"
      Double.NaN, "nan"
      Double.PositiveInfinity, "inf"
      Double.NegativeInfinity, "-inf" ]
    |> Seq.map (fun (value, text) -> [| box value; box text |])

[<Theory>]
[<MemberData(nameof knownOutputs)>]
let ``floats read as CPython's repr`` (value: float, python: string) = Assert.Equal(python, PythonText.float value)

[<Fact>]
let ``other values read as Python's str`` () =
    Assert.Equal("[32, 64]", PythonText.str (JsonArray(JsonValue.Create 32, JsonValue.Create 64)))
    Assert.Equal("[0.5, 'relu']", PythonText.str (JsonArray(JsonValue.Create 0.5, JsonValue.Create "relu")))
    Assert.Equal("learned", PythonText.str (JsonValue.Create "learned"))
    Assert.Equal("False", PythonText.str (JsonValue.Create false))
    Assert.Equal("3000000000", PythonText.str (JsonValue.Create 3000000000L))
    Assert.Equal("None", PythonText.str null)

let private finite = ArbMap.defaults |> ArbMap.generate<float> |> Gen.filter Double.IsFinite |> Arb.fromGen

[<Property>]
let ``every finite double reads back as itself`` () =
    Prop.forAll finite (fun x ->
        let text = PythonText.float x
        BitConverter.DoubleToInt64Bits(Double.Parse(text, CultureInfo.InvariantCulture)) = BitConverter.DoubleToInt64Bits x)

[<Property>]
let ``a float always looks like a float, with Python's exponent form exactly where Python uses it`` () =
    Prop.forAll finite (fun x ->
        let text = PythonText.float x
        let exponent = text.Contains 'e'
        let magnitude = abs x
        not (text.Contains 'E')
        && (exponent || text.Contains '.')
        && (exponent = (magnitude <> 0.0 && (magnitude < 1e-4 || magnitude >= 1e16)))
        && (not exponent || Text.RegularExpressions.Regex.IsMatch(text, @"^-?\d(\.\d+)?e[+-]\d{2,3}$")))
