/// Dotted paths into a node tree (`loss.kl_weight`): how sweeps and overrides set values.
module Exp.Spec.Yaml.NodePath

let split (path: string) = path.Split('.') |> List.ofArray

/// Sets the value at `path`, creating the mappings on the way; entries it creates get
/// `position`, so that errors about them point at the override or sweep that wrote them.
let set (path: string) (value: Node) (position: Position) (root: Node) : Result<Node, string> =
    let rec go segments walked node =
        match segments with
        | [] -> Ok value
        | key :: rest ->
            let here = if walked = "" then key else walked + "." + key
            let entries =
                match node with
                | Mapping(entries, _) -> Ok entries
                | _ when Node.isNull node -> Ok []
                | other -> Error $"cannot set '{path}': '{walked}' is {Node.describe other}, not a mapping of keys"
            entries
            |> Result.bind (fun entries ->
                match entries |> List.tryFindIndex (fun entry -> entry.Key = key) with
                | Some index ->
                    go rest here entries[index].Value
                    |> Result.map (fun child -> entries |> List.updateAt index { entries[index] with Value = child })
                | None ->
                    go rest here (Mapping([], position))
                    |> Result.map (fun child -> entries @ [ { Key = key; KeyPosition = position; Value = child } ]))
            |> Result.map (fun entries -> Mapping(entries, Node.position node))
    go (split path) "" root

/// The value at `path`, if the mappings on the way hold it.
let tryFind (path: string) (root: Node) : Node option =
    let rec go segments node =
        match segments, node with
        | [], _ -> Some node
        | key :: rest, Mapping(entries, _) -> entries |> List.tryFind (fun entry -> entry.Key = key) |> Option.bind (fun entry -> go rest entry.Value)
        | _ -> None
    go (split path) root

/// `root` without the entry at `path`; unchanged when there is none.
let remove (path: string) (root: Node) : Node =
    let rec go segments node =
        match segments, node with
        | [ key ], Mapping(entries, position) -> Mapping(entries |> List.filter (fun entry -> entry.Key <> key), position)
        | key :: rest, Mapping(entries, position) ->
            Mapping(entries |> List.map (fun entry -> if entry.Key = key then { entry with Value = go rest entry.Value } else entry), position)
        | _ -> node
    go (split path) root
