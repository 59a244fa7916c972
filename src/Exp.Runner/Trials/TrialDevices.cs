using Exp.Engine.Models;
using Exp.Engine.Training;
using Exp.Spec;

namespace Exp.Runner.Trials;

/// <summary>What a machine can run trials on, and what a trial's model looks like, before anything runs.</summary>
public static class TrialDevices
{
    /// <summary>CUDA devices this process sees (0 on a CPU build).</summary>
    public static int CudaDeviceCount() => Devices.CudaDeviceCount();

    /// <summary>Why these trials cannot run here (they ask for CUDA where there is none), or null when they can.</summary>
    public static string? CannotRun(IEnumerable<Trial> trials)
    {
        var wantsCuda = trials.Where(t => t.Config.Train.Device.StartsWith("cuda", StringComparison.Ordinal)).ToList();
        return wantsCuda.Count == 0 || CudaDeviceCount() > 0
            ? null
            : $"{wantsCuda.Count} trial(s) set train.device: {wantsCuda[0].Config.Train.Device}, but CUDA is not available here "
                + "(no GPU, or a build without -p:TorchBackend=cuda); use train.device=auto or cpu";
    }

    /// <summary>The model a trial builds: layers, shapes and parameter counts.</summary>
    public static string ModelSummary(Trial trial) => Engine.Models.ModelSummary.Describe(trial.Config);
}
