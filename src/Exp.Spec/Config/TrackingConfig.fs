namespace Exp.Spec

/// Where results go; never part of a trial's identity.
type TrackingConfig =
    { /// A local store folder, or http(s)://host:port of an MLflow tracking server.
      Uri: string
      /// The local store everything is written to first, also when Uri is a server.
      Local: string }
