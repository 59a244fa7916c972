/// `execution.launcher` and `execution.slurm`: read, checked and located like every other key.
module Exp.Spec.Tests.SlurmExecution

open Xunit
open Exp.Spec

let private plan (text: string) (overrides: string list) =
    let result = Specs.Parse(text, "spec.yaml", Array.ofList overrides)
    Assert.True(result.Succeeded, result.Errors |> Array.map string |> String.concat "\n")
    result.Plan

let private errorsOf (text: string) (overrides: string list) =
    let result = Specs.Parse(text, "spec.yaml", Array.ofList overrides)
    Assert.False(result.Succeeded, "expected the spec to be rejected")
    result.Errors |> Array.map string |> List.ofArray

let private assertHas (fragment: string) (errors: string list) =
    Assert.True(errors |> List.exists (fun e -> e.Contains fragment), sprintf "no error contains %A in:\n%s" fragment (String.concat "\n" errors))

[<Fact>]
let ``the launcher is local unless the spec or an override says slurm`` () =
    Assert.Equal(Launcher.Local, (plan "experiment: x\n" []).Execution.Launcher)
    Assert.Equal(Launcher.Slurm, (plan "experiment: x\nexecution:\n  launcher: slurm\n" []).Execution.Launcher)
    Assert.Equal(Launcher.Slurm, (plan "experiment: x\n" [ "execution.launcher=slurm" ]).Execution.Launcher)

[<Fact>]
let ``every slurm key is read`` () =
    let spec =
        "experiment: x\nexecution:\n  launcher: slurm\n  slurm:\n    partition: gpu\n    time: 1-02:03:04\n    gpus_per_trial: 2\n"
        + "    cpus_per_task: 8\n    mem: 16G\n    account: vision\n    qos: high\n    sbatch: [--constraint=a100, --exclusive]\n"
        + "    signal_seconds: 120\n    max_time_limit_requeues: 5\n    trials_per_element: 4\n"
    let slurm = (plan spec []).Execution.Slurm
    Assert.Equal("gpu", slurm.Partition)
    Assert.Equal("1-02:03:04", slurm.Time)
    Assert.Equal(System.Nullable(86400 + 2 * 3600 + 3 * 60 + 4), slurm.TimeSeconds)
    Assert.Equal(2, slurm.GpusPerTrial)
    Assert.Equal(8, slurm.CpusPerTask)
    Assert.Equal("16G", slurm.Mem)
    Assert.Equal("vision", slurm.Account)
    Assert.Equal("high", slurm.Qos)
    Assert.Equal<string[]>([| "--constraint=a100"; "--exclusive" |], slurm.Sbatch)
    Assert.Equal(120, slurm.SignalSeconds)
    Assert.Equal(5, slurm.MaxTimeLimitRequeues)
    Assert.Equal(4, slurm.TrialsPerElement)

[<Theory>]
[<InlineData("90", 5400)>]
[<InlineData("10:30", 630)>]
[<InlineData("2:00:00", 7200)>]
[<InlineData("1-12", 129600)>]
[<InlineData("1-00:30", 88200)>]
let ``Slurm's time formats are understood`` (text: string, seconds: int) =
    Assert.Equal(System.Nullable seconds, (plan "experiment: x\n" [ $"execution.slurm.time='{text}'" ]).Execution.Slurm.TimeSeconds)

[<Fact>]
let ``bad slurm values are located errors with the fix`` () =
    let errors =
        errorsOf
            "experiment: x\nexecution:\n  launcher: slurmm\n  slurm:\n    time: 2h\n    mem: 8 GB\n    gpus_per_trial: -1\n    partiton: gpu\n    sbatch: [--time=10, constraint=a100]\n"
            []
    errors |> assertHas "spec.yaml:3:13: execution.launcher: unknown value 'slurmm'; did you mean 'slurm'?"
    errors |> assertHas "spec.yaml:5:11: execution.slurm.time: '2h' is not a Slurm time"
    errors |> assertHas "spec.yaml:6:10: execution.slurm.mem: '8 GB' is not a Slurm memory size"
    errors |> assertHas "spec.yaml:7:21: execution.slurm.gpus_per_trial: must be at least 0, found -1"
    errors |> assertHas "spec.yaml:8:5: execution.slurm.partiton: unknown key 'partiton'; did you mean 'partition'?"
    errors |> assertHas "execution.slurm.sbatch: '--time=10': exp sets --time itself; set execution.slurm.time instead"

[<Fact>]
let ``a line that is not an sbatch option is refused`` () =
    errorsOf "experiment: x\nexecution:\n  slurm:\n    sbatch: [constraint=a100]\n" []
    |> assertHas "spec.yaml:4:13: execution.slurm.sbatch: 'constraint=a100' is not an sbatch option"

[<Fact>]
let ``a checkpoint signal earlier than the time limit allows is refused`` () =
    errorsOf "experiment: x\nexecution:\n  slurm:\n    time: 1\n    signal_seconds: 90\n" []
    |> assertHas "spec.yaml:5:21: execution.slurm.signal_seconds: the checkpoint signal 90 s before the time limit comes before the trial starts (time: 1 is 60 s)"

[<Fact>]
let ``the launcher is not part of a trial's identity`` () =
    let local = plan "experiment: x\n" []
    let slurm = plan "experiment: x\nexecution:\n  launcher: slurm\n  slurm:\n    time: '30'\n" []
    Assert.Equal(local.Trials[0].Id, slurm.Trials[0].Id)
    Assert.Equal(local.SweepId, slurm.SweepId)

[<Fact>]
let ``GPU shards are asked for in sbatch lines, since Slurm shares GPUs, not exp`` () =
    let spec = "experiment: x\nexecution:\n  launcher: slurm\n  slurm:\n    sbatch: ['--gres=shard:1']\n"
    Assert.Equal<string[]>([| "--gres=shard:1" |], (plan spec []).Execution.Slurm.Sbatch)
    errorsOf "experiment: x\nexecution:\n  launcher: slurm\n  trials_per_gpu: 2\n" []
    |> assertHas "spec.yaml:4:19: execution.trials_per_gpu: with launcher slurm, Slurm shares GPUs, not exp"
    errorsOf "experiment: x\nexecution:\n  slurm:\n    sbatch: ['--gres=gpu:2']\n" []
    |> assertHas "exp sets --gres=gpu itself; set execution.slurm.gpus_per_trial instead"
