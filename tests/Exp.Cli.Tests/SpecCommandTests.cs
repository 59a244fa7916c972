using Exp.Cli.Tests.Support;
using Exp.Testing;

namespace Exp.Cli.Tests;

/// <summary>`exp validate` and `exp plan` as a user meets them: exit codes, located errors, never a stack trace.</summary>
public sealed class SpecCommandTests : IDisposable
{
    private readonly Workspace workspace = new();

    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepoPaths.Experiments, "*.yaml").Order())
        {
            data.Add(file);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Every_example_spec_validates_and_plans(string spec)
    {
        var validated = await ExpProcess.RunAsync(workspace.Directory, "validate", spec);
        Assert.True(validated.ExitCode == 0, validated.ToString());
        Assert.Contains(": valid, experiment '", validated.Output);

        var planned = await ExpProcess.RunAsync(workspace.Directory, "plan", spec, "--json");
        Assert.True(planned.ExitCode == 0, planned.ToString());
        Assert.Contains("\"trials\"", planned.Output);
    }

    [Theory]
    [InlineData("experiment: x\nmodel:\n\tlatent_dim: 3\n", "spec.yaml:3:1: a tab in the indentation")]
    [InlineData("experiment: x\nmodel:\n  latent_dim: 3\n kernel_size: 3\n", "spec.yaml:4:2: invalid YAML")]
    [InlineData("experiment: x\nloss:\n  kl_wieght: 0.1\n", "spec.yaml:3:3: loss.kl_wieght: unknown key 'kl_wieght'; did you mean 'kl_weight'?")]
    [InlineData("experiment: x\ntrain:\n  epochs: two\n", "spec.yaml:3:11: train.epochs: expected a whole number, found 'two'")]
    [InlineData("experiment: x\nsweep:\n  parameters:\n    loss.kl_wieght: [0.1]\n", "spec.yaml:4:5: loss.kl_wieght: unknown key")]
    [InlineData("experiment: x\nsweep:\n  parameters:\n    loss.kl_weight: []\n", "spec.yaml:4:21: sweep.parameters.loss.kl_weight: an empty grid")]
    [InlineData("experiment: x\nsweep:\n  method: random\n  parameters:\n    train.lr: [0.1, 0.2]\n", "spec.yaml:3:3: sweep.trials: a random sweep needs `trials`")]
    public async Task A_broken_spec_prints_located_errors_and_exits_2(string yaml, string expected)
    {
        var spec = workspace.WriteSpec(yaml);

        foreach (var verb in new[] { "validate", "plan", "run", "train" })
        {
            var result = await ExpProcess.RunAsync(workspace.Directory, verb, spec);
            Assert.True(result.ExitCode == 2, $"{verb}: {result}");
            Assert.Contains(expected, result.Error);
            Assert.DoesNotContain("   at ", result.Error);
        }
    }

    [Fact]
    public async Task All_errors_of_a_file_come_together_with_a_count()
    {
        var spec = workspace.WriteSpec("experiment: x\nmodel:\n  latent_dim: 0\n  chanels: [32]\ntrain:\n  epochs: two\n");

        var result = await ExpProcess.RunAsync(workspace.Directory, "validate", spec, "train.lr=-1");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("4 errors", result.Error);
    }

    [Fact]
    public async Task Asking_for_cuda_on_a_machine_without_it_is_refused_before_any_run_is_made()
    {
        var spec = workspace.WriteSpec("experiment: x\ntrain:\n  device: cuda\n");

        foreach (var verb in new[] { "run", "train" })
        {
            var result = await ExpProcess.RunAsync(workspace.Directory, verb, spec);
            Assert.True(result.ExitCode == 2, $"{verb}: {result}");
            Assert.Contains("CUDA is not available here", result.Error);
        }
        Assert.False(Directory.Exists(workspace.Runs));
    }

    [Fact]
    public async Task Help_and_version_answer_as_users_expect()
    {
        var help = await ExpProcess.RunAsync(workspace.Directory, "--help");
        Assert.Equal(0, help.ExitCode);
        foreach (var verb in new[] { "validate", "plan", "run", "train", "ls", "show", "push" })
        {
            Assert.Contains(verb, help.Output);
        }
        var version = await ExpProcess.RunAsync(workspace.Directory, "--version");
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Output.Trim());
    }

    public void Dispose() => workspace.Dispose();
}
