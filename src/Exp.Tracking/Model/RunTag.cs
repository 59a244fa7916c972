namespace Exp.Tracking.Model;

/// <summary>A run tag; unlike a param, its value may change.</summary>
public sealed record RunTag(string Key, string Value);
