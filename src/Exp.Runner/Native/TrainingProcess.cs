using Exp.Engine.Native;

namespace Exp.Runner.Native;

/// <summary>What a process of exp sets up before anything can load libtorch.</summary>
public static class TrainingProcess
{
    /// <summary>
    /// Tunes malloc for training (see <see cref="MallocTuning"/>; <c>EXP_MALLOC_TUNING=off</c> turns it
    /// off) and settles oneDNN's instruction set before libtorch's first convolution (see
    /// <see cref="CpuKernels"/>; <c>EXP_CPU_KERNELS</c> chooses otherwise) in the verbs that train
    /// (<c>train</c>, <c>trial</c>): a child process of this executable says whether oneDNN's own
    /// kernels are correct here (once per machine). Called first thing in Main, so `exp train` and
    /// every `exp trial` get it however launched.
    /// </summary>
    public static void Prepare(string[] args)
    {
        MallocTuning.Apply();
        // Only where trials train: a cap set in `exp run` would not reach its trials anyway (.NET
        // starts children with its own copy of the environment), and other verbs never convolve.
        if (args.FirstOrDefault(a => !a.StartsWith('-')) is "train" or "trial")
            CpuKernels.Prepare(Environment.ProcessPath);
    }

    /// <summary>Whether this process is the child that <see cref="Prepare"/> starts to probe oneDNN's own kernels.</summary>
    public static bool IsKernelProbe(string[] args) => args is [CpuKernels.ProbeVerb];

    public static int RunKernelProbe() => CpuKernels.RunProbe();
}
