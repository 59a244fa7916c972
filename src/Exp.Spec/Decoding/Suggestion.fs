/// "Did you mean" for misspelled keys and values.
module Exp.Spec.Decoding.Suggestion

open System

/// Levenshtein distance: insertions, deletions and substitutions each cost one.
let distance (a: string) (b: string) =
    let previous = Array.init (b.Length + 1) id
    let current = Array.zeroCreate (b.Length + 1)
    for i in 1 .. a.Length do
        current[0] <- i
        for j in 1 .. b.Length do
            let substitution = if a[i - 1] = b[j - 1] then 0 else 1
            current[j] <- min (min (current[j - 1] + 1) (previous[j] + 1)) (previous[j - 1] + substitution)
        Array.blit current 0 previous 0 current.Length
    previous[b.Length]

/// The candidate nearest to `word`, if it is near enough to be what was meant.
let closest (candidates: string seq) (word: string) =
    let word = word.ToLowerInvariant()
    candidates
    |> Seq.map (fun candidate -> candidate, distance word (candidate.ToLowerInvariant()))
    |> Seq.filter (fun (candidate, d) -> d <= max 2 (candidate.Length / 3))
    |> Seq.sortBy snd
    |> Seq.tryHead
    |> Option.map fst

/// The nearest candidate, or null when none is near enough: for the CLI's options and commands.
let closestOrNull (candidates: string seq) (word: string) : string = closest candidates word |> Option.toObj

/// "; did you mean 'x'?" when one candidate is close, else the list of what is allowed.
let hint (candidates: string seq) (word: string) =
    match closest candidates word with
    | Some candidate -> $"; did you mean '{candidate}'?"
    | None -> "; expected one of: " + String.Join(", ", candidates)
