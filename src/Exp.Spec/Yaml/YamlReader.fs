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

/// What a spec may hold. A spec is a few KB of YAML; these bounds turn hostile or mistaken
/// input (a multi-GB file, `/dev/zero`, an alias bomb, a deeply nested list) into a located
/// error within a second, instead of memory and time that grow without end.
module Limits =
    /// The largest spec (or job file, or override value) read, in characters.
    [<Literal>]
    let MaxCharacters = 1048576

    /// The most values (scalars, lists and mappings) a document may hold with every alias
    /// expanded: 474 bytes of nested aliases ("billion laughs") stand for 10^9 values, which
    /// the trial names and sweep values would spell out.
    [<Literal>]
    let MaxExpandedValues = 100000

    /// The deepest nesting of lists and mappings; a spec nests four or five levels.
    [<Literal>]
    let MaxDepth = 64

/// Reading stops at the first bound crossed: nothing after it could be trusted to be cheap.
exception private LimitCrossed of SpecError

type private NodeBuilder(source: string, parser: IParser) =
    // Each anchored node with the number of values it stands for, aliases expanded.
    let anchors = Dictionary<string, Node * int64>()
    let errors = ResizeArray<SpecError>()
    let mutable expanded = 0L

    let count position (values: int64) =
        expanded <- min (expanded + values) Int64.MaxValue
        if expanded > int64 Limits.MaxExpandedValues then
            raise (
                LimitCrossed(
                    SpecError.at
                        position
                        ""
                        $"with its aliases (*name) expanded the document holds more than {Limits.MaxExpandedValues:N0} values (a spec holds a few hundred); write the values out, or use fewer nested aliases"
                )
            )

    let remember (anchor: AnchorName) (node, size) =
        if not anchor.IsEmpty then anchors[anchor.Value] <- (node, size)
        node, size

    member _.Errors = List.ofSeq errors

    /// The next node and the number of values it stands for with its aliases expanded.
    member this.Read(depth: int) : Node * int64 =
        let event = parser.Current
        let position = positionOf source event.Start
        if depth > Limits.MaxDepth then
            raise (LimitCrossed(SpecError.at position "" $"lists and mappings nested more than {Limits.MaxDepth} deep; a spec nests a few levels: check the brackets and indentation"))
        parser.MoveNext() |> ignore
        match event with
        | :? YScalar as scalar ->
            count position 1L
            (Scalar(scalar.Value, scalar.Style <> ScalarStyle.Plain, position), 1L) |> remember scalar.Anchor
        | :? SequenceStart as start ->
            count position 1L
            let items = ResizeArray()
            let mutable size = 1L
            while not (parser.Current :? SequenceEnd) do
                let item, itemSize = this.Read(depth + 1)
                items.Add item
                size <- min (size + itemSize) Int64.MaxValue
            parser.MoveNext() |> ignore
            (Sequence(List.ofSeq items, position), size) |> remember start.Anchor
        | :? MappingStart as start ->
            count position 1L
            let entries = ResizeArray<Entry>()
            let firstPositions = Dictionary<string, Position>()
            let mutable size = 1L
            while not (parser.Current :? MappingEnd) do
                let key, keySize = this.Read(depth + 1)
                let value, valueSize = this.Read(depth + 1)
                size <- min (size + keySize + valueSize) Int64.MaxValue
                match key with
                | Scalar(name, _, keyPosition) ->
                    match firstPositions.TryGetValue name with
                    | true, first ->
                        errors.Add(
                            SpecError.at keyPosition name $"duplicate key '{name}' (first given at line {first.Line}); remove one of them"
                        )
                    | _ ->
                        firstPositions[name] <- keyPosition
                        entries.Add { Key = name; KeyPosition = keyPosition; Value = value }
                | other -> errors.Add(SpecError.at (Node.position other) "" "a key must be a plain name, not a list or mapping")
            parser.MoveNext() |> ignore
            (Mapping(List.ofSeq entries, position), size) |> remember start.Anchor
        | :? AnchorAlias as alias ->
            match anchors.TryGetValue alias.Value.Value with
            | true, (node, size) ->
                count position size
                node, size
            | _ ->
                errors.Add(SpecError.at position "" $"unknown alias '*{alias.Value.Value}'")
                Scalar("", false, position), 1L
        | other -> failwith $"unexpected YAML event {other.GetType().Name} at {other.Start}"

let private readText (source: string) (text: string) : Result<Node, SpecError list> =
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
                let root, _ = builder.Read 0
                parser.MoveNext() |> ignore // DocumentEnd
                match parser.Current, builder.Errors with
                | :? DocumentStart as next, _ ->
                    Error [ SpecError.at (positionOf source next.Start) "" "a spec is one YAML document; remove the '---' and what follows, or split it into two files" ]
                | _, [] -> Ok root
                | _, errors -> Error errors
        with
        | :? YamlException as error -> Error [ syntaxError source error ]
        | LimitCrossed error -> Error [ error ]
    | errors -> Error errors

let private tooLong source =
    SpecError.at
        { Source = source; Line = 1; Column = 1 }
        ""
        $"longer than a spec may be ({Limits.MaxCharacters:N0} characters; a spec is a few KB of YAML): check that this is the spec you meant"

/// Reads one YAML document. An empty document reads as an empty mapping.
let read (source: string) (text: string) : Result<Node, SpecError list> =
    if text.Length > Limits.MaxCharacters then Error [ tooLong source ] else readText source text

/// The text of a spec file, read no further than a spec may be long: a path such as
/// /dev/zero or a multi-GB file by mistake is refused without being read to its end.
let readFile (path: string) : Result<string, SpecError list> =
    use reader = new StreamReader(path, Text.Encoding.UTF8, true)
    let buffer = Array.zeroCreate<char> (Limits.MaxCharacters + 1)
    let rec fill total =
        match reader.Read(buffer, total, buffer.Length - total) with
        | 0 -> total
        | read when total + read = buffer.Length -> total + read
        | read -> fill (total + read)
    match fill 0 with
    | total when total > Limits.MaxCharacters -> Error [ tooLong path ]
    | total -> Ok(String(buffer, 0, total))

/// Reads the value of a command-line override (`train.epochs=20`, `model.channels=[32,64]`).
let readValue (source: string) (text: string) : Result<Node, SpecError list> =
    match read source text with
    | Ok(Mapping([], position)) -> Ok(Scalar("", false, position))
    | result -> result
