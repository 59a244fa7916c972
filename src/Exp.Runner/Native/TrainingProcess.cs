using Exp.Engine.Native;

namespace Exp.Runner.Native;

/// <summary>What a process of exp sets up before anything can load libtorch.</summary>
public static class TrainingProcess
{
    /// <summary>
    /// Tunes malloc for training (see <see cref="MallocTuning"/>; <c>EXP_MALLOC_TUNING=off</c> turns it
    /// off) and caps oneDNN's instruction set before libtorch's first convolution (see
    /// <see cref="CpuKernels"/>; <c>EXP_CPU_KERNELS</c> chooses otherwise). Called first thing in Main,
    /// so `exp train` and every `exp trial` get it however launched.
    /// </summary>
    public static void Prepare()
    {
        MallocTuning.Apply();
        CpuKernels.Prepare();
    }
}
