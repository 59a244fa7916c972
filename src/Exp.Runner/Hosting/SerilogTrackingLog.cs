using Exp.Tracking;
using Serilog;

namespace Exp.Runner.Hosting;

/// <summary>What tracking says (a server unreachable, a run kept locally) goes to the command's log.</summary>
internal sealed class SerilogTrackingLog(ILogger log) : ITrackingLog
{
    public void Info(string message) => log.Information("{Message}", message);

    public void Warning(string message) => log.Warning("{Message}", message);
}
