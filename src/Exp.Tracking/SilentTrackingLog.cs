namespace Exp.Tracking;

/// <summary>A log that drops every message, for callers with nothing to tell the user.</summary>
public sealed class SilentTrackingLog : ITrackingLog
{
    public static readonly SilentTrackingLog Instance = new();

    public void Info(string message)
    {
    }

    public void Warning(string message)
    {
    }
}
