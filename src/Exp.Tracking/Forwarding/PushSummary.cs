namespace Exp.Tracking.Forwarding;

/// <summary>
/// What a push did: runs read, entities sent, what of each run is on the server now (and why
/// not), and the warnings for runs skipped because a file of theirs is damaged.
/// </summary>
public sealed record PushSummary(int Runs, int Metrics, int Params, int Tags, int Artifacts, DeliveryReport Delivery, IReadOnlyList<string> Damage);
