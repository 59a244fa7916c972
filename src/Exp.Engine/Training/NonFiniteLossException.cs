namespace Exp.Engine.Training;

/// <summary>Training stopped because the loss became NaN or infinite; the model was not updated with it.</summary>
public sealed class NonFiniteLossException(long step, int epoch, double loss)
    : Exception($"non-finite loss at step {step} (epoch {epoch}): {loss}")
{
    public long Step { get; } = step;
    public int Epoch { get; } = epoch;
}
