namespace Exp.Spec

/// How a sweep's trials are run; never part of a trial's identity.
type ExecutionConfig =
    { /// Trials at once.
      Parallel: int
      /// Trials packed onto one GPU at a time.
      TrialsPerGpu: int
      /// A trial still running after this many minutes is killed and marked FAILED (a hung
      /// trial would otherwise hold its slot forever); null: no limit.
      TrialTimeoutMinutes: System.Nullable<float> }
