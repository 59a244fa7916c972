using System.Text;
using Exp.Runner.Trials;

namespace Exp.Runner.Slurm;

/// <summary>
/// The sbatch script of one array chunk. Each element runs its trials one after another,
/// each with its output appended to its run's <see cref="RunFolders.SlurmLog"/>. The script
/// forwards Slurm's signals to the trial: USR1 (sent `signal_seconds` before the time limit)
/// makes it checkpoint, and it exits with <see cref="RequeueExitCode"/> when it should run on
/// in a new allocation, which the script asks for with `scontrol requeue`; TERM (scancel,
/// preemption) makes it stop at its next step. Node failures and preemption are requeued by
/// Slurm itself (--requeue), and the trial resumes from its checkpoint in the same run.
/// </summary>
public static class JobScript
{
    /// <summary>EX_TEMPFAIL: the trial checkpointed at the time limit and wants its element requeued.</summary>
    public const int RequeueExitCode = 75;

    public static string Render(ArrayChunk chunk, SlurmJobOptions options)
    {
        var slurm = options.Slurm;
        var script = new StringBuilder();
        script.AppendLine("#!/bin/bash");
        void Sbatch(string option) => script.AppendLine($"#SBATCH {option}");
        Sbatch($"--job-name={options.JobName}");
        Sbatch($"--array=0-{chunk.Elements.Count - 1}%{options.Parallel}");
        Sbatch("--requeue");
        Sbatch("--open-mode=append");
        Sbatch($"--signal=B:USR1@{slurm.SignalSeconds}");
        Sbatch($"--output={Path.Combine(options.LogDirectory, $"slurm-%A_%a.out")}");
        Sbatch($"--chdir={options.WorkingDirectory}");
        Sbatch($"--cpus-per-task={slurm.CpusPerTask}");
        if (slurm.GpusPerTrial > 0)
        {
            Sbatch($"--gres=gpu:{slurm.GpusPerTrial}");
        }
        if (slurm.Partition != "")
        {
            Sbatch($"--partition={slurm.Partition}");
        }
        if (slurm.Time != "")
        {
            Sbatch($"--time={slurm.Time}");
        }
        if (slurm.Mem != "")
        {
            Sbatch($"--mem={slurm.Mem}");
        }
        if (slurm.Account != "")
        {
            Sbatch($"--account={slurm.Account}");
        }
        if (slurm.Qos != "")
        {
            Sbatch($"--qos={slurm.Qos}");
        }
        foreach (var line in slurm.Sbatch)
        {
            Sbatch(line);
        }
        script.AppendLine($"# Written by exp: array {chunk.Number} of {chunk.Of} of sweep {options.JobName}. Element index -> its trials' logs and commands.");
        script.AppendLine("set -u");
        script.AppendLine("case \"$SLURM_ARRAY_TASK_ID\" in");
        foreach (var element in chunk.Elements)
        {
            script.AppendLine($"  {element.Index})");
            script.AppendLine($"    logs=({string.Join(' ', element.Trials.Select(t => Quote(RunFolders.SlurmLog(t.RunDirectory))))})");
            for (var i = 0; i < element.Trials.Count; i++)
            {
                script.AppendLine($"    trial{i}=({string.Join(' ', element.Trials[i].Command.Select(Quote))})");
            }
            script.AppendLine("    ;;");
        }
        script.AppendLine("  *) echo \"exp: no element $SLURM_ARRAY_TASK_ID in this array\" >&2; exit 1 ;;");
        script.AppendLine("esac");
        script.Append(Body);
        return script.ToString();
    }

    /// <summary>A word for bash, in single quotes: nothing inside is expanded.</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''") + "'";

    private const string Body = """
        element="${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
        child=""
        stopping=0
        # Slurm signals this shell (B:USR1, scancel --full, preemption); the trial is the one to act.
        forward() { if [ -n "$child" ]; then kill -s "$1" "$child" 2>/dev/null || true; fi; }
        trap 'forward USR1' USR1
        trap 'stopping=1; forward TERM' TERM INT
        status=0
        for i in "${!logs[@]}"; do
          [ "$stopping" = 1 ] && exit 130
          log="${logs[$i]}"
          mkdir -p "${log%/*}"
          echo "== $(date -Is) element $element on ${SLURMD_NODENAME:-?}, restart ${SLURM_RESTART_COUNT:-0}, GPUs ${CUDA_VISIBLE_DEVICES:-none}" >>"$log"
          declare -n command="trial$i"
          "${command[@]}" >>"$log" 2>&1 </dev/null &
          child=$!
          # wait returns early when a trapped signal arrives; the trial may still be running.
          while kill -0 "$child" 2>/dev/null; do wait "$child"; done
          wait "$child"; rc=$?
          echo "== $(date -Is) exit code $rc" >>"$log"
          child=""
          unset -n command
          case "$rc" in
            0) ;;
            75) scontrol requeue "$element"; exit 0 ;;
            *) status=$rc ;;
          esac
        done
        exit "$status"

        """;
}
