using System.Text;
using Exp.Runner.Slurm;

namespace Exp.Runner.Kubernetes;

/// <summary>Where the sweep runs on Kubernetes: the image with exp, and the volume that holds the store.</summary>
/// <param name="StoreClaim">A ReadWriteMany PersistentVolumeClaim, mounted at the store's path on every pod.</param>
public sealed record KubernetesTarget(string Namespace, string Image, string StoreClaim, string StorePath);

/// <summary>
/// The design of a Kubernetes launcher, as the manifest it would apply: one Indexed Job per
/// sweep, one index per trial, the same trial commands as the Slurm elements. Not wired to
/// `exp run` (no Kubernetes runs here); README "Clusters" describes the mapping.
/// </summary>
public static class IndexedJobManifest
{
    public static string Render(string jobName, IReadOnlyList<ElementTrial> trials, int parallel, int gpusPerTrial, int cpusPerTrial, KubernetesTarget target)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine($"""
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: {jobName}
              namespace: {target.Namespace}
            spec:
              completionMode: Indexed
              completions: {trials.Count}
              parallelism: {parallel}
              # A trial's own failure fails its index once; a preempted or evicted pod is retried.
              backoffLimitPerIndex: 3
              podFailurePolicy:
                rules:
                  - action: Ignore
                    onPodConditions:
                      - type: DisruptionTarget
                  - action: FailIndex
                    onExitCodes:
                      containerName: trial
                      operator: In
                      values: [1, 2]
              template:
                spec:
                  restartPolicy: Never
                  # SIGTERM on eviction: the trial stops at its next step and keeps its last checkpoint.
                  terminationGracePeriodSeconds: 120
                  containers:
                    - name: trial
                      image: {target.Image}
                      command: ["/bin/bash", "-c"]
                      args:
                        - |
                          case "$JOB_COMPLETION_INDEX" in
            """.TrimEnd('\n'));
        for (var index = 0; index < trials.Count; index++)
        {
            yaml.AppendLine($"                {index}) exec {string.Join(' ', trials[index].Command.Select(JobScript.Quote))} ;;");
        }
        var limits = gpusPerTrial > 0 ? $"cpu: \"{cpusPerTrial}\", nvidia.com/gpu: {gpusPerTrial}" : $"cpu: \"{cpusPerTrial}\"";
        yaml.AppendLine($$"""
                          esac
                      resources:
                        requests: {cpu: "{{cpusPerTrial}}"}
                        limits: {{{limits}}}
                      volumeMounts:
                        - name: store
                          mountPath: {{target.StorePath}}
                  volumes:
                    - name: store
                      persistentVolumeClaim:
                        claimName: {{target.StoreClaim}}
            """);
        return yaml.ToString();
    }
}
