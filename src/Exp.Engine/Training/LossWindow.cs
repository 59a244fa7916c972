using static TorchSharp.torch;

namespace Exp.Engine.Training;

/// <summary>
/// The training losses of the steps since the last read, kept on the device. Appending is a
/// device-side copy that never waits for the device; <see cref="Read"/> brings the whole window
/// to the host in one transfer, so a GPU is synchronised once per read rather than every step,
/// and a non-finite loss is still pinned to the step that produced it.
/// </summary>
internal sealed class LossWindow(int capacity, Device device) : IDisposable
{
    private readonly Tensor values = zeros(capacity, dtype: ScalarType.Float32, device: device);
    private readonly float[] host = new float[capacity];

    /// <summary>How many losses were added since the last <see cref="Clear"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Appends a step's scalar loss; call inside the step's dispose scope, which frees the temporaries.</summary>
    public void Add(Tensor loss)
    {
        // Detached: the window must not become part of the step's autograd graph.
        values[Count].copy_(loss.detach());
        Count++;
    }

    /// <summary>Reads the window (one device transfer): the last loss, and the offset of the first non-finite one.</summary>
    public (double Last, int? FirstNonFinite) Read()
    {
        using var window = values.narrow(0, 0, Count);
        using var onHost = window.cpu();
        onHost.data<float>().CopyTo(host);
        var bad = Array.FindIndex(host, 0, Count, value => !float.IsFinite(value));
        return (host[Count - 1], bad < 0 ? null : bad);
    }

    /// <summary>A loss of the last <see cref="Read"/>, by its offset in the window.</summary>
    public double Value(int offset) => host[offset];

    public void Clear() => Count = 0;

    public void Dispose() => values.Dispose();
}
