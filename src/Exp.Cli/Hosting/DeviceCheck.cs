using Exp.Engine.Training;
using Exp.Spec;

namespace Exp.Cli.Hosting;

/// <summary>Refuses, before any run is created, trials that ask for CUDA where there is none.</summary>
public static class DeviceCheck
{
    public static bool CanRun(IEnumerable<Trial> trials)
    {
        var wantsCuda = trials.Where(t => t.Config.Train.Device.StartsWith("cuda", StringComparison.Ordinal)).ToList();
        if (wantsCuda.Count == 0 || Devices.CudaDeviceCount() > 0)
        {
            return true;
        }
        Console.Error.WriteLine(
            $"error: {wantsCuda.Count} trial(s) set train.device: {wantsCuda[0].Config.Train.Device}, but CUDA is not available here "
            + "(no GPU, or a build without -p:TorchBackend=cuda); use train.device=auto or cpu");
        return false;
    }
}
