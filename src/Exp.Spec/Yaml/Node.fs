namespace Exp.Spec.Yaml

/// Where a piece of spec text came from: a file, or a command-line override.
type Position =
    { Source: string
      Line: int
      Column: int }

    override p.ToString() = $"{p.Source}:{p.Line}:{p.Column}"

/// A YAML document reduced to what specs use, with the position of every node, so
/// that errors found long after parsing (in a sweep's third trial, say) still point at
/// the text that caused them.
type Node =
    /// Quoted is true for '...' and "..." scalars: `"0.1"` is a string, not a number.
    | Scalar of text: string * quoted: bool * position: Position
    | Sequence of items: Node list * position: Position
    | Mapping of entries: Entry list * position: Position

and Entry =
    { Key: string
      KeyPosition: Position
      Value: Node }

module Node =
    let position node =
        match node with
        | Scalar(_, _, p)
        | Sequence(_, p)
        | Mapping(_, p) -> p

    /// `key:` with nothing after it, `~` and `null` all mean "not given".
    let isNull node =
        match node with
        | Scalar(("" | "~" | "null" | "Null" | "NULL"), false, _) -> true
        | _ -> false

    /// The node as it would read in flow YAML, for trial names and messages.
    let rec display node =
        match node with
        | Scalar(text, _, _) -> text
        | Sequence(items, _) -> "[" + (items |> List.map display |> String.concat ",") + "]"
        | Mapping(entries, _) ->
            "{" + (entries |> List.map (fun e -> e.Key + ": " + display e.Value) |> String.concat ", ") + "}"

    let describe node =
        match node with
        | Scalar(text, true, _) -> $"the string \"{text}\""
        | Scalar(text, false, _) -> $"'{text}'"
        | Sequence _ -> "a list"
        | Mapping _ -> "a mapping"
