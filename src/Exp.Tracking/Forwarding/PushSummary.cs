namespace Exp.Tracking.Forwarding;

/// <summary>What a push did: runs read, entities sent, and what of each run is on the server now (and why not).</summary>
public sealed record PushSummary(int Runs, int Metrics, int Params, int Tags, int Artifacts, DeliveryReport Delivery);
