using Exp.Cli.Tests.Support;
using Exp.Engine.Objective;
using Exp.Spec;
using Exp.Testing;
using Exp.Tracking.Model;

namespace Exp.Cli.Tests;

/// <summary>
/// Every spec in <c>experiments/</c> runs through <c>exp run</c> and finishes every trial: what
/// a user who copies an example gets. Found by glob, so a new example is covered without
/// editing this test. The overrides only shrink the work (images, epochs, trials, evaluation);
/// model, loss and sweep stay the example's own.
/// </summary>
public sealed class ExampleSpecsRunTests : IDisposable
{
    private readonly Workspace workspace = new();

    public static TheoryData<string> Examples() =>
        [.. Directory.GetFiles(RepoPaths.Experiments, "*.yaml").Select(file => Path.GetFileName(file)).Order()];

    [Fact]
    public void The_examples_are_found()
    {
        Assert.True(Examples().Count >= 5, $"expected the five example specs in {RepoPaths.Experiments}");
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Every_trial_of_the_example_finishes_through_exp_run(string file)
    {
        var spec = Path.Combine(RepoPaths.Experiments, file);
        var overrides = ShrunkExamples.Overrides(Plan(spec, []), workspace.Directory);
        var plan = Plan(spec, overrides);

        var result = await ExpProcess.RunAsync(workspace.Directory, ["run", spec, "--parallel", "2", .. overrides]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var trials = workspace.Trials(plan.Experiment);
        Assert.Equal(plan.Search?.Trials ?? plan.Trials.Length, trials.Count);
        foreach (var trial in trials)
        {
            Assert.True(trial.Run.Status == RunStatus.Finished, $"{trial.Name}: {trial.Run.Status} {trial.Failure}\n{result}");
            Assert.Contains(workspace.History(trial, Metrics.Elbo), metric => double.IsFinite(metric.Value));
            // The config the trial trained, read back from its run by the code that wrote it, is the trial's.
            var stored = File.ReadAllText(Path.Combine(workspace.Store.ArtifactDirectory(trial.RunId), "config.json"));
            var config = Specs.ReadTrialConfig(stored, $"{trial.Name} config.json");
            Assert.True(config.Succeeded, string.Join("\n", config.Errors.Select(e => e.ToString())));
            Assert.Equal(trial.TrialId, Specs.TrialId(config.Config));
            if (plan.Search is null)
            {
                Assert.Equal(plan.Trials.Single(t => t.Id == trial.TrialId).Config, config.Config);
            }
        }
    }

    private static Plan Plan(string spec, IReadOnlyList<string> overrides)
    {
        var loaded = Specs.Load(spec, overrides);
        Assert.True(loaded.Succeeded, string.Join("\n", loaded.Errors.Select(e => e.ToString())));
        return loaded.Plan;
    }

    public void Dispose() => workspace.Dispose();
}
