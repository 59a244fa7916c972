using Exp.Tracking.Forwarding;

namespace Exp.Runner.Catalog;

/// <summary>What of a command's runs reached the MLflow server, in one line for people.</summary>
/// <param name="Complete">Every run is on the server.</param>
/// <param name="AnyRefused">The server refused a run: sending again will not help, so the command fails.</param>
/// <param name="Summary">"All 5 runs are on URL." or what is missing, why, and the `exp push` that sends it.</param>
public sealed record ServerDelivery(bool Complete, bool AnyRefused, string Summary)
{
    internal static ServerDelivery? From(DeliveryReport? report) =>
        report is null ? null : new ServerDelivery(report.Complete, report.AnyRefused, report.Summary);
}
