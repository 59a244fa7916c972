/// The `execution` section: how trials are run, locally or on Slurm.
module Exp.Spec.Decoding.ExecutionDecoder

open System
open System.Text.RegularExpressions
open Exp.Spec

/// Slurm's time formats (sbatch --time): minutes, minutes:seconds, hours:minutes:seconds,
/// days-hours, days-hours:minutes, days-hours:minutes:seconds; in seconds.
let timeSeconds (text: string) : int option =
    let number (group: Group) = if group.Success then int group.Value else 0
    let plain = Regex.Match(text, @"^(\d+)(?::(\d+))?(?::(\d+))?$")
    let withDays = Regex.Match(text, @"^(\d+)-(\d+)(?::(\d+))?(?::(\d+))?$")
    if plain.Success then
        match plain.Groups[2].Success, plain.Groups[3].Success with
        | false, _ -> Some(number plain.Groups[1] * 60)
        | true, false -> Some(number plain.Groups[1] * 60 + number plain.Groups[2])
        | true, true -> Some(number plain.Groups[1] * 3600 + number plain.Groups[2] * 60 + number plain.Groups[3])
    elif withDays.Success then
        Some(
            number withDays.Groups[1] * 86400 + number withDays.Groups[2] * 3600
            + number withDays.Groups[3] * 60 + number withDays.Groups[4]
        )
    else
        None

let private slurmTime: Check<string> =
    fun text ->
        match timeSeconds text with
        | Some seconds when seconds > 0 -> None
        | Some _ -> Some "must be longer than 0"
        | None -> Some $"'{text}' is not a Slurm time; write minutes (90), hours:minutes:seconds (1:30:00) or days-hours:minutes:seconds (1-12:00:00)"

let private slurmMemory: Check<string> =
    fun text ->
        if Regex.IsMatch(text, @"^[1-9]\d*[KMGT]?$") then None
        else Some $"'{text}' is not a Slurm memory size; write a number with an optional unit K, M, G or T, like 8G"

let private slurmName: Check<string> =
    fun text ->
        if text = "" || Regex.IsMatch(text, @"^[A-Za-z0-9_.,:+\-]+$") then None
        else Some $"'{text}' is not a Slurm name; use letters, digits and _ . - (a list with commas)"

/// The sbatch options exp writes itself, with the key that sets each.
let private owned =
    [ "--array", "it is the sweep's trials"
      "-a", "it is the sweep's trials"
      "--output", "logs go to each trial's run"
      "-o", "logs go to each trial's run"
      "--error", "logs go to each trial's run"
      "-e", "logs go to each trial's run"
      "--requeue", "exp always requeues"
      "--no-requeue", "exp always requeues"
      "--open-mode", "exp appends to the logs of requeued trials"
      "--signal", "set execution.slurm.signal_seconds instead"
      "--parsable", "exp reads sbatch's answer itself"
      "--wrap", "exp writes the job script"
      "--partition", "set execution.slurm.partition instead"
      "-p", "set execution.slurm.partition instead"
      "--time", "set execution.slurm.time instead"
      "-t", "set execution.slurm.time instead"
      "--cpus-per-task", "set execution.slurm.cpus_per_task instead"
      "-c", "set execution.slurm.cpus_per_task instead"
      "--mem", "set execution.slurm.mem instead"
      "--account", "set execution.slurm.account instead"
      "-A", "set execution.slurm.account instead"
      "--qos", "set execution.slurm.qos instead"
      "-q", "set execution.slurm.qos instead"
      "--gpus", "set execution.slurm.gpus_per_trial instead"
      "-G", "set execution.slurm.gpus_per_trial instead" ]

let private sbatchLines: Check<string list> =
    fun lines ->
        lines
        |> List.tryPick (fun line ->
            let parts = line.Trim().Split([| '='; ' ' |], 2)
            let option = parts[0]
            if not (line.StartsWith "-") then
                Some $"'{line}' is not an sbatch option; write it as on sbatch's command line, like --constraint=a100"
            elif option = "--gres" && parts.Length > 1 && parts[1].TrimStart().StartsWith "gpu" then
                Some $"'{line}': exp sets --gres=gpu itself; set execution.slurm.gpus_per_trial instead"
            else
                owned |> List.tryFind (fun (name, _) -> name = option) |> Option.map (fun (_, why) -> $"'{line}': exp sets {option} itself; {why}"))

let private slurm (decoding: Decoding) (section: Section) : SlurmConfig =
    let time = section.Field("time", "", Parse.string, slurmTime)
    let signal = section.Field("signal_seconds", 90, Parse.int, Check.atLeast 1)
    let seconds = timeSeconds time
    match seconds with
    | Some limit when signal >= limit ->
        decoding.Error(
            decoding.PositionOf(section.Path + ".signal_seconds", decoding.PositionOf(section.Path + ".time", section.Position)),
            section.Path + ".signal_seconds",
            $"the checkpoint signal {signal} s before the time limit comes before the trial starts (time: {time} is {limit} s); lower signal_seconds or raise time"
        )
    | _ -> ()
    let config =
        { Partition = section.Field("partition", "", Parse.string, slurmName)
          Time = time
          TimeSeconds = seconds |> Option.toNullable
          GpusPerTrial = section.Field("gpus_per_trial", 0, Parse.int, Check.atLeast 0)
          CpusPerTask = section.Field("cpus_per_task", 1, Parse.int, Check.atLeast 1)
          Mem = section.Field("mem", "", Parse.string, fun text -> if text = "" then None else slurmMemory text)
          Account = section.Field("account", "", Parse.string, slurmName)
          Qos = section.Field("qos", "", Parse.string, slurmName)
          Sbatch = section.Field("sbatch", [], Parse.list Parse.string, sbatchLines) |> Array.ofList
          SignalSeconds = signal
          MaxTimeLimitRequeues = section.Field("max_time_limit_requeues", 3, Parse.int, Check.atLeast 0)
          TrialsPerElement = section.Field("trials_per_element", 1, Parse.int, Check.atLeast 1) }
    section.Finish()
    config

let decode (decoding: Decoding) (section: Section) : ExecutionConfig =
    let trialsPerGpu = section.Field("trials_per_gpu", 1, Parse.int, Check.atLeast 1)
    let config =
        { Parallel = section.Field("parallel", 1, Parse.int, Check.atLeast 1)
          TrialsPerGpu = trialsPerGpu
          TrialTimeoutMinutes = section.Optional("trial_timeout_minutes", Parse.float, Check.positive) |> Option.toNullable
          Launcher = section.Field("launcher", Launcher.Local, Parse.choice [ "local", Launcher.Local; "slurm", Launcher.Slurm ])
          Slurm = slurm decoding (section.Section "slurm") }
    if config.Launcher = Launcher.Slurm && trialsPerGpu > 1 then
        decoding.Error(
            decoding.PositionOf(section.Path + ".trials_per_gpu", section.Position),
            section.Path + ".trials_per_gpu",
            "with launcher slurm, Slurm shares GPUs, not exp: on a cluster that configures GPU shards, set gpus_per_trial: 0 and sbatch: [--gres=shard:1]"
        )
    section.Finish()
    config
