using Exp.Engine.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Exp.Engine.Training;

/// <summary>
/// A learned decoder sigma that converges within an epoch. Trained with the network's optimiser,
/// log sigma moves about lr per Adam step: at lr 3e-4 it needs thousands of steps to fall from 1
/// to the 0.1-0.2 that a trained decoder's error calls for, so the trial is judged at a wrong
/// sigma. Here it starts from the data (the pixels' standard deviation: the error of a decoder
/// that knows nothing, an upper bound on the optimum) and has its own Adam, at a rate fit for
/// one scalar, with no weight decay (which would pull log sigma towards 0, sigma towards 1).
/// The trainer floors it at <see cref="Vae.MinSigma"/> after every step.
/// </summary>
public static class LearnedSigma
{
    public const double LearningRate = 1e-2;

    public static OptimizerHelper CreateOptimizer(Vae vae) =>
        optim.Adam([(Parameter)vae.LogSigma], LearningRate, weight_decay: 0);

    public static void InitialiseFromData(Vae vae, Tensor images)
    {
        using var scope = NewDisposeScope();
        vae.SetLogSigma(images.std().log());
    }
}
