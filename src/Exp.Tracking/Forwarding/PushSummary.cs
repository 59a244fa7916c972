namespace Exp.Tracking.Forwarding;

/// <summary>What a push did: runs brought up to date, entities sent, and problems per run.</summary>
public sealed record PushSummary(int Runs, int Metrics, int Params, int Tags, int Artifacts, IReadOnlyList<string> Problems);
