using Exp.Tracking;
using Exp.Tracking.Model;

namespace Exp.Tracking.Tests;

/// <summary>
/// Entry point for child processes of <see cref="LocalStore.ConcurrentProcessesTests"/>:
/// <c>dotnet Exp.Tracking.Tests.dll store-writer ROOT EXPERIMENT VALUES</c> creates (or finds)
/// the experiment, starts a run and logs VALUES metric values, as a parallel trial would.
/// The test runner does not use it.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["store-writer", var root, var experimentName, var values])
        {
            await Console.Error.WriteLineAsync("usage: store-writer ROOT EXPERIMENT VALUES");
            return 2;
        }
        await using var tracker = Tracker.Open(new TrackingTarget(root, null));
        var experiment = tracker.GetOrCreateExperiment(experimentName);
        await using var run = tracker.StartRun(experiment.ExperimentId, new RunStart($"writer-{Environment.ProcessId}"));
        run.LogParams([new Param("process", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        for (var step = 0; step < int.Parse(values, System.Globalization.CultureInfo.InvariantCulture); step++)
        {
            run.LogMetric("loss", 1.0 / (step + 1), step);
        }
        await run.EndAsync(RunStatus.Finished);
        return 0;
    }
}
