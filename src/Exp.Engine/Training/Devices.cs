using static TorchSharp.torch;

namespace Exp.Engine.Training;

public static class Devices
{
    /// <summary><c>auto</c> is CUDA when a GPU and the CUDA backend are there, else the CPU; otherwise a torch device name.</summary>
    public static Device Resolve(string name) =>
        name.Trim().ToLowerInvariant() switch
        {
            "" or "auto" => cuda.is_available() ? CUDA : CPU,
            var other when other.StartsWith("cuda") && !cuda.is_available() =>
                throw new InvalidOperationException($"train.device is {name}, but CUDA is not available (no GPU, or a build without -p:TorchBackend=cuda)"),
            var other => device(other),
        };

    /// <summary>CUDA devices this process can use; 0 without a GPU or on the CPU build.</summary>
    public static int CudaDeviceCount() => cuda.is_available() ? cuda.device_count() : 0;
}
