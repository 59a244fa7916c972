namespace Exp.Spec

/// Where a sweep's trials run.
type Launcher =
    /// Processes on this machine.
    | Local = 0
    /// Elements of Slurm job arrays.
    | Slurm = 1

/// What each trial asks Slurm for, and how it survives time limits (`execution.slurm`).
type SlurmConfig =
    { /// The partition; "" takes the cluster's default.
      Partition: string
      /// The time limit as written (Slurm's formats: minutes, h:m:s, d-h, ...); "" takes the partition's.
      Time: string
      /// The time limit in seconds; null when Time is "".
      TimeSeconds: System.Nullable<int>
      /// GPUs each trial gets (`--gres=gpu:N`); 0: none.
      GpusPerTrial: int
      CpusPerTask: int
      /// Memory per trial as Slurm writes it (e.g. 8G); "" takes the cluster's default.
      Mem: string
      Account: string
      Qos: string
      /// More `#SBATCH` lines, each an sbatch option like `--constraint=a100`.
      Sbatch: string[]
      /// Seconds before the time limit at which Slurm signals a trial to checkpoint and requeue.
      SignalSeconds: int
      /// How often a trial may be requeued after reaching the time limit before it is FAILED.
      MaxTimeLimitRequeues: int
      /// Trials run one after another in one array element (for very short trials).
      TrialsPerElement: int }

    /// Mem in bytes, read as sbatch reads --mem (megabytes without a unit; K, M, G, T are powers
    /// of 1024); 0 when Mem is "".
    member slurm.MemBytes: int64 =
        if slurm.Mem = "" then
            0L
        else
            match "KMGT".IndexOf slurm.Mem[slurm.Mem.Length - 1] with
            | -1 -> int64 slurm.Mem * pown 1024L 2
            | unit -> int64 slurm.Mem[.. slurm.Mem.Length - 2] * pown 1024L (unit + 1)

/// How a sweep's trials are run; never part of a trial's identity.
type ExecutionConfig =
    { /// Trials at once.
      Parallel: int
      /// Trials packed onto one GPU at a time.
      TrialsPerGpu: int
      /// A trial still running after this many minutes is killed and marked FAILED (a hung
      /// trial would otherwise hold its slot forever); null: no limit.
      TrialTimeoutMinutes: System.Nullable<float>
      Launcher: Launcher
      Slurm: SlurmConfig }
