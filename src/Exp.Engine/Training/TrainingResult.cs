namespace Exp.Engine.Training;

/// <param name="Epochs">Epochs complete.</param>
/// <param name="Steps">Optimiser steps taken, in all.</param>
/// <param name="ResumedFromEpoch">The epoch of the checkpoint this run continued from; 0 when it started afresh.</param>
/// <param name="Metrics">The last held-out metrics.</param>
public sealed record TrainingResult(int Epochs, long Steps, int ResumedFromEpoch, IReadOnlyDictionary<string, double> Metrics);
