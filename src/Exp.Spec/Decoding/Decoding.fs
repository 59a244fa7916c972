namespace Exp.Spec.Decoding

open System
open System.Collections.Generic
open System.Globalization
open Exp.Spec
open Exp.Spec.Yaml

/// Collects every error of a decoding pass (a spec reports all its errors at once) and
/// remembers where each value came from, for checks that span several keys.
type Decoding() =
    let errors = ResizeArray<SpecError>()
    let positions = Dictionary<string, Position>()

    member _.Errors = List.ofSeq errors

    /// How many errors were found so far: whether a step of decoding added any.
    member _.Count = errors.Count

    member _.Error(position: Position, path: string, message: string) =
        errors.Add(SpecError.at position path message)

    member _.Remember(path: string, position: Position) = positions[path] <- position

    /// Where the value at `path` was written, or `fallback` when it took its default.
    member _.PositionOf(path: string, fallback: Position) =
        match positions.TryGetValue path with
        | true, position -> position
        | _ -> fallback

/// Turns a node into a value, or says what was expected instead.
type Parse<'T> = Node -> Result<'T, string>

module Parse =
    let private expected what (node: Node) =
        match node with
        | Scalar(text, true, _) when Double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture) |> fst ->
            Error $"expected {what}, found the string \"{text}\"; remove the quotes"
        | _ -> Error $"expected {what}, found {Node.describe node}"

    let int: Parse<int> =
        fun node ->
            match node with
            | Scalar(text, false, _) ->
                match Int32.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) with
                | true, value -> Ok value
                | _ -> expected "a whole number" node
            | _ -> expected "a whole number" node

    let float: Parse<float> =
        fun node ->
            match node with
            | Scalar(text, false, _) ->
                match Double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture) with
                | true, value when Double.IsFinite value -> Ok value
                | _ -> expected "a number" node
            | _ -> expected "a number" node

    let bool: Parse<bool> =
        fun node ->
            match node with
            | Scalar(("true" | "True" | "TRUE"), false, _) -> Ok true
            | Scalar(("false" | "False" | "FALSE"), false, _) -> Ok false
            | _ -> expected "true or false" node

    let string: Parse<string> =
        fun node ->
            match node with
            | Scalar(text, _, _) -> Ok text
            | _ -> expected "a text value" node

    /// One of a fixed set of names, e.g. `relu | leaky_relu | gelu | silu`.
    let choice (names: (string * 'T) list) : Parse<'T> =
        fun node ->
            match node with
            | Scalar(text, _, _) ->
                match names |> List.tryFind (fun (name, _) -> name = text) with
                | Some(_, value) -> Ok value
                | None -> Error($"unknown value '{text}'" + Suggestion.hint (List.map fst names) text)
            | _ -> Error("expected one of: " + String.Join(", ", List.map fst names) + $", found {Node.describe node}")

    let list (item: Parse<'T>) : Parse<'T list> =
        fun node ->
            match node with
            | Sequence(items, _) ->
                let results = items |> List.map item
                match results |> List.tryPick (function Error e -> Some e | Ok _ -> None) with
                | Some error -> Error $"in the list: {error}"
                | None -> Ok(results |> List.map (function Ok v -> v | Error _ -> failwith "unreachable"))
            | _ -> expected "a list, like [32, 64]" node

/// A check on a decoded value: None when it is fine, else what is wrong and how to fix it.
type Check<'T> = 'T -> string option

module Check =
    let none: Check<'T> = fun _ -> None

    let atLeast (minimum: 'T) : Check<'T> =
        fun value -> if value >= minimum then None else Some $"must be at least {minimum}, found {value}"

    let positive: Check<float> =
        fun value -> if value > 0.0 then None else Some $"must be greater than 0, found {value}"

    let nonNegative: Check<float> =
        fun value -> if value >= 0.0 then None else Some $"must be 0 or more, found {value}"

    let nonEmpty: Check<'T list> =
        fun value -> if List.isEmpty value then Some "must list at least one value" else None

    let each (check: Check<'T>) : Check<'T list> =
        fun values -> values |> List.tryPick check |> Option.map (fun e -> $"every value {e}")

/// Reads one mapping of the spec: each field with its default and check. Keys that no
/// field asked for are reported as unknown, with the nearest known key as a suggestion.
type Section(decoding: Decoding, path: string, node: Node) =
    let position = Node.position node
    let entries =
        match node with
        | Mapping(entries, _) -> entries
        | _ when Node.isNull node -> []
        | other ->
            decoding.Error(position, path, $"expected a mapping of keys, found {Node.describe other}")
            []
    let known = List<string>()

    let childPath key = if path = "" then key else path + "." + key

    member _.Path = path
    member _.Position = position

    /// The node given for `key`, if any; marks `key` as known (once: a key read twice is still one to suggest).
    member _.Node(key: string) : Node option =
        if not (known.Contains key) then
            known.Add key
        entries
        |> List.tryFind (fun entry -> entry.Key = key)
        |> Option.map (fun entry -> entry.Value)
        |> Option.filter (Node.isNull >> not)

    member this.Optional(key: string, parse: Parse<'T>, check: Check<'T>) : 'T option =
        match this.Node key with
        | None -> None
        | Some node ->
            decoding.Remember(childPath key, Node.position node)
            match parse node |> Result.bind (fun value -> match check value with None -> Ok value | Some e -> Error e) with
            | Ok value -> Some value
            | Error message ->
                decoding.Error(Node.position node, childPath key, message)
                None

    member this.Field(key: string, fallback: 'T, parse: Parse<'T>, check: Check<'T>) : 'T =
        this.Optional(key, parse, check) |> Option.defaultValue fallback

    member this.Field(key: string, fallback: 'T, parse: Parse<'T>) : 'T = this.Field(key, fallback, parse, Check.none)

    member this.Section(key: string) : Section =
        let child =
            this.Node key |> Option.defaultValue (Mapping([], position))
        Section(decoding, childPath key, child)

    /// Reports the keys no field asked for. Call after every field has been read.
    member _.Finish() =
        for entry in entries do
            if not (known.Contains entry.Key) then
                decoding.Error(
                    entry.KeyPosition,
                    childPath entry.Key,
                    $"unknown key '{entry.Key}'" + Suggestion.hint known entry.Key
                )
