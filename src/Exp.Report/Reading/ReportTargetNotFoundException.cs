namespace Exp.Report.Reading;

/// <summary>`exp report` was given something that names no sweep, experiment or trial, or names several.</summary>
public sealed class ReportTargetNotFoundException(string message) : Exception(message);
