using System.Diagnostics;
using System.Text.Json.Nodes;
using Exp.Testing;

namespace Exp.Engine.Tests.Native;

/// <summary>
/// The CUDA build switch (<c>-p:TorchBackend=cuda</c>, src/Exp.Engine/Exp.Engine.csproj) cannot be
/// restored here (the registry serves no CUDA TorchSharp), so it is checked one step before restore:
/// the restore graph of the `exp` app, which names every package its projects ask for.
/// </summary>
public class CudaBuildSwitchTests
{
    [Fact]
    public void The_cuda_switch_makes_exp_ask_for_TorchSharps_cuda_runtime_at_TorchSharps_version_and_not_the_cpu_one()
    {
        var packages = RestoreGraphPackages("-p:TorchBackend=cuda");

        Assert.True(packages.ContainsKey("TorchSharp-cuda-linux"), $"the cuda build asks for {string.Join(", ", packages.Keys)}");
        Assert.False(packages.ContainsKey("libtorch-cpu-linux-x64"), "the cuda build still asks for the CPU libtorch");
        // TorchSharp-cuda-linux carries the native side of one TorchSharp release: the versions must match.
        Assert.Equal(packages["TorchSharp"], packages["TorchSharp-cuda-linux"]);
    }

    /// <summary>Package name to requested version range, over every project that `exp` (src/Exp.Cli) restores.</summary>
    private static Dictionary<string, string> RestoreGraphPackages(string property)
    {
        var graph = Path.Combine(Path.GetTempPath(), $"exp-restore-graph-{Guid.NewGuid():N}.json");
        try
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = RepoPaths.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in new[] { "msbuild", Path.Combine("src", "Exp.Cli", "Exp.Cli.csproj"), "-t:GenerateRestoreGraphFile",
                         $"-p:RestoreGraphOutputPath={graph}", property, "-nologo", "-nodeReuse:false", "-v:q" })
                start.ArgumentList.Add(argument);
            using var msbuild = Process.Start(start)!;
            var output = msbuild.StandardOutput.ReadToEndAsync();
            var errors = msbuild.StandardError.ReadToEnd();
            msbuild.WaitForExit();
            Assert.True(msbuild.ExitCode == 0, $"dotnet msbuild failed: {output.Result}{errors}");

            var packages = new Dictionary<string, string>();
            foreach (var (_, project) in JsonNode.Parse(File.ReadAllText(graph))!["projects"]!.AsObject())
                foreach (var (_, framework) in project!["frameworks"]!.AsObject())
                    foreach (var (name, dependency) in framework!["dependencies"]?.AsObject() ?? [])
                        packages[name] = dependency!["version"]!.GetValue<string>();
            return packages;
        }
        finally
        {
            File.Delete(graph);
        }
    }
}
