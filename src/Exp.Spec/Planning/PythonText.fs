/// Values written as Python's str() writes them. MLflow's Python client logs a param as
/// str(value), so users filter on `params.kl_weight = '1e-05'`; params written any other
/// way (1E-05) would never match what the same value logged from Python looks like.
module Exp.Spec.Planning.PythonText

open System
open System.Globalization
open System.Text.Json
open System.Text.Json.Nodes

/// repr(x) of a Python float: the shortest digits that read back as the same double, in
/// positional notation when the decimal point falls within 16 digits of them (0.0001,
/// 1.0, 1000000000000000.0), else in exponent notation with a signed exponent of at least
/// two digits (1e-05, 1e+16, 1.5e-07).
let float (x: float) =
    if Double.IsNaN x then "nan"
    elif Double.IsPositiveInfinity x then "inf"
    elif Double.IsNegativeInfinity x then "-inf"
    elif x = 0.0 then (if Double.IsNegative x then "-0.0" else "0.0")
    else
        // .NET's round-trip format gives the same shortest digits as Python's repr.
        let shortest = (abs x).ToString("R", CultureInfo.InvariantCulture)
        let mantissa, exponent =
            match shortest.Split('E') with
            | [| m; e |] -> m, int e
            | _ -> shortest, 0
        let whole, fraction =
            match mantissa.Split('.') with
            | [| w; f |] -> w, f
            | _ -> mantissa, ""
        let allDigits = whole + fraction
        let leadingZeros = allDigits.Length - allDigits.TrimStart('0').Length
        let digits = allDigits.TrimStart('0').TrimEnd('0')
        // The value is 0.<digits> x 10^point.
        let point = whole.Length - leadingZeros + exponent
        let text =
            if point <= -4 || point > 16 then
                let shown = if digits.Length = 1 then digits else digits[..0] + "." + digits[1..]
                let power = point - 1
                sprintf "%se%s%02d" shown (if power < 0 then "-" else "+") (abs power)
            elif point <= 0 then "0." + String('0', -point) + digits
            elif point >= digits.Length then digits + String('0', point - digits.Length) + ".0"
            else digits[.. point - 1] + "." + digits[point..]
        (if x < 0.0 then "-" else "") + text

let private quoted (text: string) =
    "'" + text.Replace("\\", "\\\\").Replace("'", "\\'") + "'"

let rec private write (asElement: bool) (node: JsonNode) =
    match node with
    | null -> "None"
    | :? JsonArray as items -> "[" + String.Join(", ", items |> Seq.map (write true)) + "]"
    | :? JsonObject as pairs ->
        "{" + String.Join(", ", pairs |> Seq.map (fun pair -> quoted pair.Key + ": " + write true pair.Value)) + "}"
    | :? JsonValue as value ->
        let mutable small = 0
        let mutable integer = 0L
        let mutable number = 0.0
        match value.GetValueKind() with
        | JsonValueKind.String -> if asElement then quoted (value.GetValue<string>()) else value.GetValue<string>()
        | JsonValueKind.True -> "True"
        | JsonValueKind.False -> "False"
        | _ when value.TryGetValue<int>(&small) -> string small
        | _ when value.TryGetValue<int64>(&integer) -> string integer
        | _ when value.TryGetValue<float>(&number) -> float number
        | _ -> value.ToJsonString()
    | other -> other.ToJsonString()

/// str(v) of the Python value a YAML loader gives for this config value: strings as they
/// are, True/False, None, ints, floats as repr, lists as [32, 64] (strings in them quoted).
let str (node: JsonNode) = write false node
