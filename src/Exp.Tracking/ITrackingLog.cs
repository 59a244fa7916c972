namespace Exp.Tracking;

/// <summary>
/// Where the tracking layer says what a user should know (a server unreachable, a run kept
/// locally). The CLI adapts it to its logger; messages never hold credentials.
/// </summary>
public interface ITrackingLog
{
    void Info(string message);

    void Warning(string message);
}
