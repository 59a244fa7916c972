namespace Exp.Engine.Native;

/// <summary>
/// The convolutions of the model a trial trains, for <see cref="CpuKernels.EnsureCorrect"/>: probed on
/// their own shapes when the fixed probe finds oneDNN wrong for some shapes on this CPU.
/// </summary>
/// <param name="Layers">How many convolutions (conv2d and conv_transpose2d) the model has.</param>
/// <param name="LargestError">Runs each of them on the CPU in float32 against float64 (output, input and weight gradients) and gives the largest relative error.</param>
public sealed record ModelConvolutions(int Layers, Func<double> LargestError);
