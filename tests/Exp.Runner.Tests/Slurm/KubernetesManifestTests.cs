using Exp.Runner.Kubernetes;
using Exp.Runner.Slurm;
using Exp.Testing;

namespace Exp.Runner.Tests.Slurm;

/// <summary>The Kubernetes design (README "Clusters"): the Indexed Job a sweep of four GPU trials maps onto.</summary>
public class KubernetesManifestTests
{
    [Fact]
    public void A_sweep_maps_onto_one_indexed_job_with_an_index_per_trial()
    {
        var trials = new[] { "1e-5", "1e-4", "1e-3", "1e-2" }
            .Select((weight, i) => new ElementTrial($"t{i}", $"run{i}", $"/store/1/run{i}",
                ["/opt/exp/exp", "trial", $"/store/1/run{i}/spec.yaml", "--trial-id", $"t{i}", "--run-id", $"run{i}", "--threads", "4", "--device", "cuda"]))
            .ToList();

        var manifest = IndexedJobManifest.Render("exp-kl-sweep", trials, parallel: 2, gpusPerTrial: 1, cpusPerTrial: 4,
            new KubernetesTarget("research", "registry.example.org/exp:cuda", "exp-store", "/store"));

        Snapshots.Match(manifest, "kl-sweep-indexed-job");
    }
}
