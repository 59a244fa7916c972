namespace Exp.Spec

/// One swept value of a trial, as shown in its name and the plan's table.
type SweptValue = { Path: string; Value: string }

/// A resolved trial: everything it needs, and how to recognise it again.
type Trial =
    { /// Derived from the full resolved config: same config, same id, on any machine.
      Id: string
      /// Built from the swept values, e.g. `kl_weight=1e-4,noise_sigma=0.1`.
      Name: string
      /// 1-based position in the plan.
      Number: int
      SweptValues: SweptValue[]
      Config: TrialConfig }

    /// The resolved config as JSON in the spec's own keys.
    member trial.ConfigJson = Planning.TrialJson.toText true trial.Config

    /// Every resolved value under its dotted path, then the derived loss.effective_beta and
    /// loss.effective_sigma: the MLflow params of the trial.
    member trial.Params =
        Planning.TrialJson.flatten trial.Config @ Planning.TrialJson.derived trial.Config
        |> List.map (fun (key, value) -> System.Collections.Generic.KeyValuePair(key, value))
        |> Array.ofList

/// A spec expanded into trials, with how to run them and where results go.
type Plan =
    { Experiment: string
      Description: string
      /// The spec file as given, and its text, for the record.
      SpecPath: string
      SpecText: string
      Overrides: string[]
      /// grid | random | list | none
      SweepMethod: string
      /// Derived from the experiment and the trials' ids: the same sweep, the same id.
      SweepId: string
      Trials: Trial[]
      /// The spec without its sweep: what `exp train` trains.
      Base: Trial
      Execution: ExecutionConfig
      Tracking: TrackingConfig
      /// Things worth saying that are not errors (e.g. duplicate random draws merged).
      Warnings: string[] }
