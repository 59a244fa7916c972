using System.Collections.Concurrent;
using Exp.Tracking;

namespace Exp.Tracking.Tests.Support;

/// <summary>Keeps every message the tracking layer reports, to check what the user was told.</summary>
public sealed class RecordingLog : ITrackingLog
{
    public ConcurrentQueue<string> Warnings { get; } = new();

    public ConcurrentQueue<string> Infos { get; } = new();

    public void Info(string message) => Infos.Enqueue(message);

    public void Warning(string message) => Warnings.Enqueue(message);
}
