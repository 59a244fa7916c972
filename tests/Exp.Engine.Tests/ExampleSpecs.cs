using Exp.Spec;
using Exp.Testing;

namespace Exp.Engine.Tests;

/// <summary>The example specs in <c>experiments/</c>, read by the spec layer.</summary>
public static class ExampleSpecs
{
    public static string Folder => RepoPaths.Experiments;

    public static TheoryData<string> Names() => [.. Directory.GetFiles(Folder, "*.yaml").Select(f => Path.GetFileNameWithoutExtension(f)).Order()];

    /// <summary>The spec's base trial: what <c>exp train</c> trains.</summary>
    public static TrialConfig BaseTrial(string name)
    {
        var result = Specs.Load(Path.Combine(Folder, name + ".yaml"), []);
        Assert.True(result.Succeeded, string.Join("\n", result.Errors.Select(e => e.ToString())));
        return result.Plan.Base.Config;
    }
}
