namespace Exp.Bench;

/// <summary>
/// Where a trial's start goes, and what the runtime's start-up settings buy: `exp --version` (the
/// .NET host and exp's own code, no libtorch) and `exp train` of the main example to its first step,
/// as published (ReadyToRun) and with one setting changed per arm, in interleaved rounds.
/// </summary>
public static class StartupCost
{
    public enum Arm
    {
        /// <summary>As scripts/install.sh publishes it: ReadyToRun, tiered compilation, no PGO.</summary>
        Published,
        /// <summary>The ReadyToRun code ignored (DOTNET_ReadyToRun=0): what ahead-of-time compilation saves today.</summary>
        NoReadyToRun,
        /// <summary>No ICU (DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1), as InvariantGlobalization would publish it.</summary>
        InvariantGlobalization,
        /// <summary>Every method jitted once, fully optimised (DOTNET_TieredCompilation=0).</summary>
        NoTieredCompilation,
        /// <summary>train.numerics_check=false: the float64 check of the model before the first step left out.</summary>
        NoNumericsCheck,
    }

    private const int TrainImages = 2_560;

    public sealed record Measure(double VersionSeconds, double FirstStepSeconds);

    public sealed record Result(IReadOnlyList<IReadOnlyDictionary<Arm, Measure>> Rounds)
    {
        public double Median(Arm arm, Func<Measure, double> figure) => Statistics.Median(Rounds.Select(r => figure(r[arm])));
    }

    public static Result Run(BenchContext context, bool sharedMachine, Action<string> progress)
    {
        var rounds = new List<IReadOnlyDictionary<Arm, Measure>>();
        for (var round = 0; round < context.Rounds; round++)
        {
            var measures = new Dictionary<Arm, Measure>();
            foreach (var arm in Statistics.Rotated(Enum.GetValues<Arm>(), round))
            {
                (string, string?)[] environment = [.. BenchContext.OpenMpWaits(sharedMachine), .. arm switch
                {
                    Arm.NoReadyToRun => [("DOTNET_ReadyToRun", "0")],
                    Arm.InvariantGlobalization => [("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")],
                    Arm.NoTieredCompilation => [("DOTNET_TieredCompilation", "0")],
                    _ => Array.Empty<(string, string?)>(),
                }];
                var version = ProcessProbe.Run(context.Exp, ["--version"], context.NewRunFolder($"version-{arm}"), BenchContext.CleanEnvironment(environment));
                var folder = context.NewRunFolder($"startup-{arm}");
                string[] check = arm == Arm.NoNumericsCheck ? ["train.numerics_check=false"] : [];
                var train = ProcessProbe.Run(context.Exp, [.. TrainingComparison.TrainArguments(context, epochs: 1, TrainImages), .. check, "--threads", "2"],
                    folder, BenchContext.CleanEnvironment(environment));
                measures[arm] = new Measure(version.Seconds, StepTiming.FromRuns(folder, TrainingComparison.BatchSize).Single().StartupSeconds(train.StartMs));
                progress(BenchContext.Invariant($"startup round {round + 1}/{context.Rounds} {arm}: exp --version {measures[arm].VersionSeconds:F2} s, to the first step {measures[arm].FirstStepSeconds:F2} s"));
            }
            rounds.Add(measures);
        }
        return new Result(rounds);
    }
}
