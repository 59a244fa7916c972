using System.Reflection;

namespace Exp.Cli.Tests;

/// <summary>The layers of the solution, as the compiled assemblies have them (what the compiler emitted, not what a project file says).</summary>
public class LayeringTests
{
    private static IEnumerable<string> OurReferences(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(name => name.Name!).Where(name => name.StartsWith("Exp.", StringComparison.Ordinal)).Order();

    private static IEnumerable<string> TorchReferences(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(name => name.Name!).Where(name => name.Contains("Torch", StringComparison.OrdinalIgnoreCase));

    [Fact]
    public void The_cli_talks_to_spec_catalog_runner_and_report_only() =>
        Assert.Equal(["Exp.Catalog", "Exp.Report", "Exp.Runner", "Exp.Spec"], OurReferences(typeof(Commands.ExitCodes).Assembly));

    [Fact]
    public void Tracking_is_an_mlflow_client_that_knows_none_of_our_layers() =>
        Assert.Empty(OurReferences(typeof(Exp.Tracking.Tracker).Assembly));

    [Fact]
    public void The_catalog_reads_runs_through_tracking_and_names_from_spec_only() =>
        Assert.Equal(["Exp.Spec", "Exp.Tracking"], OurReferences(typeof(Exp.Catalog.RunCatalog).Assembly));

    [Fact]
    public void The_report_needs_neither_the_runner_nor_the_engine_nor_torch()
    {
        var report = typeof(Exp.Report.Reports).Assembly;
        Assert.Equal(["Exp.Catalog", "Exp.Spec", "Exp.Tracking"], OurReferences(report));
        Assert.Empty(TorchReferences(report));
        Assert.Empty(TorchReferences(typeof(Exp.Catalog.RunCatalog).Assembly));
    }
}
