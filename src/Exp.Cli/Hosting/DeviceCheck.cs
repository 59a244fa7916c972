using Exp.Runner.Trials;
using Exp.Spec;

namespace Exp.Cli.Hosting;

/// <summary>Refuses, before any run is created, trials that ask for CUDA where there is none.</summary>
public static class DeviceCheck
{
    public static bool CanRun(IEnumerable<Trial> trials)
    {
        if (TrialDevices.CannotRun(trials) is not { } why)
        {
            return true;
        }
        Console.Error.WriteLine($"error: {why}");
        return false;
    }
}
