using Exp.Engine.Native;

namespace Exp.Runner.Native;

/// <summary>What a process of exp sets up before anything can load libtorch.</summary>
public static class TrainingProcess
{
    /// <summary>
    /// Tunes malloc for training (see <see cref="MallocTuning"/>; <c>EXP_MALLOC_TUNING=off</c> turns it
    /// off) and settles oneDNN's instruction set before libtorch's first convolution (see
    /// <see cref="CpuKernels"/>; <c>EXP_CPU_KERNELS</c> chooses otherwise): the verbs that train
    /// (<c>train</c>, <c>trial</c>) ask a child process of this executable whether oneDNN's own
    /// kernels are correct here (once per machine), the others only cap it. Called first thing in
    /// Main, so `exp train` and every `exp trial` get it however launched.
    /// </summary>
    public static void Prepare(string[] args)
    {
        MallocTuning.Apply();
        CpuKernels.Prepare(args.FirstOrDefault(a => !a.StartsWith('-')) is "train" or "trial" ? Environment.ProcessPath : null);
    }

    /// <summary>Whether this process is the child that <see cref="Prepare"/> starts to probe oneDNN's own kernels.</summary>
    public static bool IsKernelProbe(string[] args) => args is [CpuKernels.ProbeVerb];

    public static int RunKernelProbe() => CpuKernels.RunProbe();
}
