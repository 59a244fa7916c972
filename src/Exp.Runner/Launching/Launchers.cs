using Exp.Runner.Slurm;
using Exp.Spec;
using Serilog;

namespace Exp.Runner.Launching;

/// <summary>What every launcher of a sweep is given besides the plan.</summary>
/// <param name="Exp">The exp program that runs each trial job (`exp trial --job FILE`).</param>
/// <param name="Parallel">Trials at once as the command line asks; null takes execution.parallel.</param>
/// <param name="Notice">Where what the user should know goes (a cluster's pending reasons, requeues).</param>
public sealed record LaunchSettings(ExpExecutable Exp, int? Parallel, ILogger Log, Action<string> Notice);

/// <summary>The launcher a plan's execution.launcher names, as Hydra's multirun picks its launcher from the config.</summary>
public static class Launchers
{
    /// <summary>
    /// Processes on this machine, or Slurm job arrays once Slurm's clients are found and its
    /// controller answers: nothing is written before that.
    /// </summary>
    /// <exception cref="SlurmException">Slurm is not installed here or its controller does not answer.</exception>
    public static async Task<ITrialLauncher> ConnectAsync(Plan plan, LaunchSettings settings, CancellationToken cancellation) =>
        plan.Execution.Launcher switch
        {
            Launcher.Slurm => await SlurmLauncher.ConnectAsync(
                new SlurmClient(),
                new SlurmLauncherOptions(
                    settings.Exp, plan.Execution.Slurm, settings.Parallel ?? plan.Execution.Parallel,
                    $"exp-{Path.GetFileNameWithoutExtension(plan.SpecPath)}", settings.Notice),
                cancellation),
            _ => new LocalProcessLauncher(settings.Exp, settings.Log),
        };
}
