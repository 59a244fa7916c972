using System.Runtime.CompilerServices;

// Torch's thread pool is process-wide: tests run one at a time, all with the same thread count,
// which determinism tests depend on.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Exp.Engine.Tests;

internal static class TorchThreads
{
    /// <summary>
    /// One intra-op thread: test projects run side by side, and libtorch's OpenMP threads spin
    /// while they wait, so two of them on a busy two-core machine are several times slower than one.
    /// </summary>
    [ModuleInitializer]
    internal static void UseOne()
    {
        // As exp's Main does, before libtorch's first convolution: the tests compute with the kernels trials use.
        Exp.Engine.Native.CpuKernels.Prepare();
        TorchSharp.torch.set_num_threads(1);
    }
}
