namespace Exp.Tracking.Forwarding;

/// <summary>Whether one local run is on the server in full; when not, why.</summary>
/// <param name="Refused">The server refused it (a 4xx that sending again will not change).</param>
/// <param name="Reason">Why it is not on the server in full; null when it is.</param>
public sealed record RunDelivery(string RunId, string RunName, bool Delivered, bool Refused, string? Reason);
