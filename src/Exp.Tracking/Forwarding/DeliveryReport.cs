namespace Exp.Tracking.Forwarding;

/// <summary>
/// What reached a server and what did not, for the runs a command wrote or pushed: the
/// account a command gives at its end, so it never claims runs are on a server when they
/// are not.
/// </summary>
/// <param name="Server">The server, without credentials.</param>
/// <param name="LocalDirectory">The local store every run is kept in, as the user named it.</param>
public sealed record DeliveryReport(Uri Server, string LocalDirectory, IReadOnlyList<RunDelivery> Runs)
{
    public IReadOnlyList<RunDelivery> Missing => Runs.Where(run => !run.Delivered).ToList();

    public bool Complete => Runs.All(run => run.Delivered);

    /// <summary>Whether the server refused a run: that will not pass by sending again, so a command fails.</summary>
    public bool AnyRefused => Runs.Any(run => run.Refused);

    /// <summary>
    /// One line: "All 5 runs are on URL." or "3 of 5 runs are on URL; 2 are only in runs/:
    /// reason; `exp push runs` sends them."
    /// </summary>
    public string Summary
    {
        get
        {
            var server = TrackingTarget.RedactUserInfo(Server.ToString());
            if (Complete)
            {
                return Runs.Count == 1 ? $"The run is on {server}." : $"All {Runs.Count} runs are on {server}.";
            }
            var missing = Missing;
            var delivered = Runs.Count - missing.Count;
            var reasons = missing.GroupBy(run => run.Reason).ToList();
            var why = reasons.Count == 1
                ? reasons[0].Key
                : string.Join("; ", reasons.Select(group => $"{string.Join(", ", group.Select(run => run.RunName))}: {group.Key}"));
            var push = $"`exp push {LocalDirectory}` sends {(missing.Count == 1 ? "it" : "them")}";
            return $"{delivered} of {Runs.Count} {(Runs.Count == 1 ? "run is" : "runs are")} on {server}; "
                + $"{missing.Count} {(missing.Count == 1 ? "is" : "are")} only in {LocalDirectory}/: {why}; "
                + (AnyRefused ? $"once the cause is fixed, {push}." : $"{push}.");
        }
    }
}
