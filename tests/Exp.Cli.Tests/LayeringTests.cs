using System.Reflection;

namespace Exp.Cli.Tests;

/// <summary>The layers of the solution, as the compiled assemblies have them (what the compiler emitted, not what a project file says).</summary>
public class LayeringTests
{
    private static IEnumerable<string> OurReferences(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(name => name.Name!).Where(name => name.StartsWith("Exp.", StringComparison.Ordinal)).Order();

    [Fact]
    public void The_cli_talks_to_spec_runner_and_report_only() =>
        Assert.Equal(["Exp.Report", "Exp.Runner", "Exp.Spec"], OurReferences(typeof(Commands.ExitCodes).Assembly));

    [Fact]
    public void Tracking_is_an_mlflow_client_that_knows_none_of_our_layers() =>
        Assert.Empty(OurReferences(typeof(Exp.Tracking.Tracker).Assembly));
}
