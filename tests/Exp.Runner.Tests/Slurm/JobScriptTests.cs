using Exp.Runner.Slurm;
using Exp.Spec;

namespace Exp.Runner.Tests.Slurm;

public class JobScriptTests
{
    private static SlurmConfig Config(string extra = "") =>
        Specs.Parse("experiment: x\nexecution:\n  slurm:\n    partition: gpu\n    time: '2:00:00'\n    gpus_per_trial: 1\n    cpus_per_task: 4\n"
            + "    mem: 8G\n    account: vision\n    qos: high\n    signal_seconds: 120\n    sbatch: [--constraint=a100]\n" + extra, "spec.yaml").Plan.Execution.Slurm;

    private static ArrayChunk Chunk() => ArrayPlan.Split(
        [
            new ElementTrial("a", "r1", "/shared/runs/1/r1", ["/opt/exp/exp", "trial", "/shared/runs/1/r1/spec.yaml", "loss.kl_weight=1e-3", "--run-id", "r1"]),
            new ElementTrial("b", "r2", "/shared/runs/1/r2", ["/opt/exp/exp", "trial", "it's here", "--run-id", "r2"]),
        ], trialsPerElement: 1, maxArraySize: 1001)[0];

    [Fact]
    public void The_script_asks_for_an_array_throttled_by_parallel_requeue_appended_logs_and_the_signal_before_the_limit()
    {
        var script = JobScript.Render(Chunk(), new SlurmJobOptions("exp-kl", 3, "/shared/runs/1/parent/artifacts/slurm", "/home/me/project", Config()));
        var lines = script.Split('\n');

        Assert.Equal("#!/bin/bash", lines[0]);
        string[] expected =
        [
            "#SBATCH --job-name=exp-kl",
            "#SBATCH --array=0-1%3",
            "#SBATCH --requeue",
            "#SBATCH --open-mode=append",
            "#SBATCH --signal=B:USR1@120",
            "#SBATCH --output=/shared/runs/1/parent/artifacts/slurm/slurm-%A_%a.out",
            "#SBATCH --chdir=/home/me/project",
            "#SBATCH --cpus-per-task=4",
            "#SBATCH --gres=gpu:1",
            "#SBATCH --partition=gpu",
            "#SBATCH --time=2:00:00",
            "#SBATCH --mem=8G",
            "#SBATCH --account=vision",
            "#SBATCH --qos=high",
            "#SBATCH --constraint=a100",
        ];
        Assert.Equal(expected, lines.Where(line => line.StartsWith("#SBATCH")));
    }

    [Fact]
    public void Each_element_runs_its_trials_with_their_output_appended_inside_the_trials_run()
    {
        var script = JobScript.Render(Chunk(), new SlurmJobOptions("exp-kl", 2, "/logs", "/work", Config()));

        Assert.Contains("  0)\n    logs=('/shared/runs/1/r1/artifacts/logs/slurm.log')\n    trial0=('/opt/exp/exp' 'trial' '/shared/runs/1/r1/spec.yaml' 'loss.kl_weight=1e-3' '--run-id' 'r1')", script);
        // A quote in a word cannot end the word early: bash gets it back as written.
        Assert.Contains("'it'\\''s here'", script);
        Assert.Contains("log=\"${logs[$i]}\"", script);
        Assert.Contains("\"${command[@]}\" >>\"$log\" 2>&1", script);
        Assert.Contains($"{JobScript.RequeueExitCode}) scontrol requeue \"$element\"; exit 0 ;;", script);
        Assert.Contains("trap 'forward USR1' USR1", script);
    }

    [Fact]
    public void The_script_is_valid_bash()
    {
        var path = Path.Combine(Path.GetTempPath(), $"exp-jobscript-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, JobScript.Render(Chunk(), new SlurmJobOptions("exp-kl", 2, "/logs", "/work", Config())));
        try
        {
            using var bash = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("bash", ["-n", path]) { RedirectStandardError = true })!;
            var errors = bash.StandardError.ReadToEnd();
            bash.WaitForExit();
            Assert.True(bash.ExitCode == 0, errors);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
