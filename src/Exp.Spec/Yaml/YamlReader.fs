/// Reads YAML text into Nodes that keep their positions. Syntax errors become
/// SpecErrors with a hint for the two mistakes people make most: tabs and indentation.
module Exp.Spec.Yaml.YamlReader

open System
open System.Collections.Generic
open System.IO
open System.Text.RegularExpressions
open YamlDotNet.Core
open Exp.Spec

type private YScalar = YamlDotNet.Core.Events.Scalar
type private SequenceStart = YamlDotNet.Core.Events.SequenceStart
type private SequenceEnd = YamlDotNet.Core.Events.SequenceEnd
type private MappingStart = YamlDotNet.Core.Events.MappingStart
type private MappingEnd = YamlDotNet.Core.Events.MappingEnd
type private AnchorAlias = YamlDotNet.Core.Events.AnchorAlias
type private DocumentStart = YamlDotNet.Core.Events.DocumentStart
type private StreamEnd = YamlDotNet.Core.Events.StreamEnd

let private positionOf source (mark: Mark) =
    { Source = source
      Line = int mark.Line
      Column = int mark.Column }

/// YAML forbids tabs in indentation; YamlDotNet's message for them is cryptic, so every
/// such line is reported up front in words that say how to fix it.
let private tabErrors source (text: string) =
    text.Split('\n')
    |> Array.mapi (fun index line ->
        let indentation = line.Length - line.TrimStart(' ', '\t').Length
        match line.IndexOf('\t') with
        | column when column >= 0 && column < indentation ->
            Some(
                SpecError.at
                    { Source = source; Line = index + 1; Column = column + 1 }
                    ""
                    "a tab in the indentation; YAML indents with spaces only: replace the tab with spaces"
            )
        | _ -> None)
    |> Array.choose id
    |> List.ofArray

let private markPrefix =
    Regex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ", RegexOptions.Compiled)

let private syntaxError source (error: YamlException) =
    let message = markPrefix.Replace(error.Message, "").TrimEnd('.')
    let hint =
        if message.Contains("mapping values are not allowed", StringComparison.OrdinalIgnoreCase)
           || message.Contains("did not find expected key", StringComparison.OrdinalIgnoreCase)
           || message.Contains("found invalid mapping", StringComparison.OrdinalIgnoreCase)
           || message.Contains("did not find expected '-'", StringComparison.OrdinalIgnoreCase) then
            "; check the indentation of this line against the keys above it"
        else
            ""
    SpecError.at (positionOf source error.Start) "" $"invalid YAML: {message}{hint}"

type private NodeBuilder(source: string, parser: IParser) =
    let anchors = Dictionary<string, Node>()
    let errors = ResizeArray<SpecError>()

    let remember (anchor: AnchorName) node =
        if not anchor.IsEmpty then anchors[anchor.Value] <- node
        node

    member _.Errors = List.ofSeq errors

    member this.Read() : Node =
        let event = parser.Current
        parser.MoveNext() |> ignore
        match event with
        | :? YScalar as scalar ->
            Scalar(scalar.Value, scalar.Style <> ScalarStyle.Plain, positionOf source scalar.Start)
            |> remember scalar.Anchor
        | :? SequenceStart as start ->
            let items = ResizeArray()
            while not (parser.Current :? SequenceEnd) do
                items.Add(this.Read())
            parser.MoveNext() |> ignore
            Sequence(List.ofSeq items, positionOf source start.Start) |> remember start.Anchor
        | :? MappingStart as start ->
            let entries = ResizeArray<Entry>()
            while not (parser.Current :? MappingEnd) do
                let key = this.Read()
                let value = this.Read()
                match key with
                | Scalar(name, _, keyPosition) ->
                    match entries |> Seq.tryFind (fun e -> e.Key = name) with
                    | Some first ->
                        errors.Add(
                            SpecError.at keyPosition name $"duplicate key '{name}' (first given at line {first.KeyPosition.Line}); remove one of them"
                        )
                    | None -> entries.Add { Key = name; KeyPosition = keyPosition; Value = value }
                | other -> errors.Add(SpecError.at (Node.position other) "" "a key must be a plain name, not a list or mapping")
            parser.MoveNext() |> ignore
            Mapping(List.ofSeq entries, positionOf source start.Start) |> remember start.Anchor
        | :? AnchorAlias as alias ->
            match anchors.TryGetValue alias.Value.Value with
            | true, node -> node
            | _ ->
                errors.Add(SpecError.at (positionOf source alias.Start) "" $"unknown alias '*{alias.Value.Value}'")
                Scalar("", false, positionOf source alias.Start)
        | other -> failwith $"unexpected YAML event {other.GetType().Name} at {other.Start}"

/// Reads one YAML document. An empty document reads as an empty mapping.
let read (source: string) (text: string) : Result<Node, SpecError list> =
    match tabErrors source text with
    | [] ->
        try
            let parser = Parser(new StringReader(text))
            parser.MoveNext() |> ignore // StreamStart
            parser.MoveNext() |> ignore
            match parser.Current with
            | :? StreamEnd -> Ok(Mapping([], { Source = source; Line = 1; Column = 1 }))
            | _ ->
                parser.MoveNext() |> ignore // DocumentStart
                let builder = NodeBuilder(source, parser)
                let root = builder.Read()
                parser.MoveNext() |> ignore // DocumentEnd
                match parser.Current, builder.Errors with
                | :? DocumentStart as next, _ ->
                    Error [ SpecError.at (positionOf source next.Start) "" "a spec is one YAML document; remove the '---' and what follows, or split it into two files" ]
                | _, [] -> Ok root
                | _, errors -> Error errors
        with :? YamlException as error ->
            Error [ syntaxError source error ]
    | errors -> Error errors

/// Reads the value of a command-line override (`train.epochs=20`, `model.channels=[32,64]`).
let readValue (source: string) (text: string) : Result<Node, SpecError list> =
    match read source text with
    | Ok(Mapping([], position)) -> Ok(Scalar("", false, position))
    | result -> result
