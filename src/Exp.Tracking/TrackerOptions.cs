using Exp.Tracking.Rest;

namespace Exp.Tracking;

/// <summary>Timing of the tracker's background work; the defaults suit training, tests shorten them.</summary>
public sealed record TrackerOptions
{
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Client settings; null reads them from the MLFLOW_* environment variables.</summary>
    public MlflowClientOptions? Client { get; init; }

    /// <summary>How long news is gathered before a forwarding pass.</summary>
    public TimeSpan ForwardInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between attempts while the server is unreachable.</summary>
    public TimeSpan MaxOutageBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long ending a run waits for it to reach the server before leaving the rest to <c>exp push</c>.</summary>
    public TimeSpan FinalSyncTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
