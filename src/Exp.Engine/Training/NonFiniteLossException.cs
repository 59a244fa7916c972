namespace Exp.Engine.Training;

/// <summary>
/// Training stopped because the loss became NaN or infinite at <see cref="Step"/>. It is found at the
/// first logged step that follows (the loss is read once per <c>train.log_every</c> steps), and always
/// before a checkpoint is written, so no checkpoint holds a model updated with it.
/// </summary>
public sealed class NonFiniteLossException(long step, int epoch, double loss)
    : Exception($"non-finite loss at step {step} (epoch {epoch}): {loss}")
{
    public long Step { get; } = step;
    public int Epoch { get; } = epoch;
}
