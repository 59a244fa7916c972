namespace Exp.Tracking.Model;

/// <summary>A run parameter. MLflow keeps params immutable: a key logged twice must keep its value.</summary>
public sealed record Param(string Key, string Value);
