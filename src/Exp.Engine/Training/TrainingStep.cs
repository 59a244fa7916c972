namespace Exp.Engine.Training;

/// <param name="Step">Optimiser steps taken so far, 1-based, counted across epochs and resumes.</param>
/// <param name="Epoch">The epoch the step belongs to, 1-based.</param>
/// <param name="Loss">The training loss of this step's batch as optimised, nats per image.</param>
/// <param name="Progress">Fraction of all the trial's steps done, 0 to 1.</param>
public readonly record struct TrainingStep(long Step, int Epoch, double Loss, double Progress);
