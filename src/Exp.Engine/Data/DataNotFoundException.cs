namespace Exp.Engine.Data;

/// <summary>The configured data is missing or unreadable; the message names the path and what to do.</summary>
public sealed class DataNotFoundException(string message) : Exception(message);
