namespace Exp.Spec

open System

/// What a tracking URI names: the one place that tells a folder from a file: URI from a server.
type TrackingUriKind =
    /// Empty: nothing named (MLFLOW_TRACKING_URI, then ./runs, apply).
    | Unset = 0
    /// A folder: the local store itself.
    | Folder = 1
    /// A file: URI: the local store at its path.
    | FileUri = 2
    /// http(s)://host[:port]: an MLflow server, forwarded to from the local store.
    | Server = 3
    /// Anything else: not something exp can write to.
    | Unsupported = 4

/// Reads tracking URIs the same way for a spec's tracking.uri and for MLFLOW_TRACKING_URI.
[<AbstractClass; Sealed>]
type TrackingUris =
    static member Classify(uri: string) : TrackingUriKind =
        let isServer = uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
        if String.IsNullOrWhiteSpace uri then TrackingUriKind.Unset
        elif isServer then
            match Uri.TryCreate(uri, UriKind.Absolute) with
            | true, parsed when parsed.Host <> "" -> TrackingUriKind.Server
            | _ -> TrackingUriKind.Unsupported
        elif uri.StartsWith("file:", StringComparison.OrdinalIgnoreCase) then TrackingUriKind.FileUri
        elif uri.Contains "://" || uri.StartsWith("databricks", StringComparison.OrdinalIgnoreCase) then TrackingUriKind.Unsupported
        else TrackingUriKind.Folder

    /// Why exp cannot write to `uri`, with the fix; null when it can. It quotes `uri`: redact credentials first.
    static member Problem(uri: string) : string =
        match TrackingUris.Classify uri with
        | TrackingUriKind.Unsupported when uri.StartsWith("http", StringComparison.OrdinalIgnoreCase) ->
            $"'{uri}' is not a valid server address; write it like http://localhost:5000"
        | TrackingUriKind.Unsupported ->
            $"'{uri}' is not supported: use a folder (e.g. runs), a file: URI, or an http(s):// MLflow server"
        | _ -> null
