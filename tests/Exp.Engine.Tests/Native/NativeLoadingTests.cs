using System.Diagnostics;
using System.Text.Json;
using Exp.Build;
using Exp.Testing;
using static TorchSharp.torch;

namespace Exp.Engine.Tests.Native;

public class NativeLoadingTests
{
    private static readonly string PatchedLibrary =
        Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void Torch_computes_on_the_cpu()
    {
        using var x = ones(2, 3);
        Assert.Equal(6f, x.sum().item<float>());
    }

    [Fact]
    public void The_output_library_needs_only_GLIBCXX_3_4_32_weakly()
    {
        var needs = ElfVersionNeeds.Read(File.ReadAllBytes(PatchedLibrary));

        Assert.Contains(needs, n => n.File == "libstdc++.so.6" && n.Version == "GLIBCXX_3.4.30" && !n.IsWeak);
        var weak = Assert.Single(needs, n => n.IsWeak);
        Assert.Equal(("libstdc++.so.6", "GLIBCXX_3.4.32"), (weak.File, weak.Version));
    }

    [Fact]
    public void Weakening_is_idempotent()
    {
        var bytes = File.ReadAllBytes(PatchedLibrary);
        var before = (byte[])bytes.Clone();

        Assert.Empty(ElfVersionNeeds.Weaken(bytes, ["GLIBCXX_3.4.32"]));
        Assert.Equal(before, bytes);
    }

    [Fact]
    public void The_cuda_switch_swaps_the_backend_package()
    {
        Assert.Equal(["TorchSharp", "StbImageSharp", "StbImageWriteSharp", "ScottPlot", "libtorch-cpu-linux-x64"], PackageReferences());
        Assert.Equal(["TorchSharp", "StbImageSharp", "StbImageWriteSharp", "ScottPlot", "TorchSharp-cuda-linux"], PackageReferences("-p:TorchBackend=cuda"));
    }

    /// <summary>The engine's package references as MSBuild evaluates them (no restore, no build).</summary>
    private static string[] PackageReferences(params string[] properties)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["msbuild", Path.Combine(RepoPaths.Root, "src", "Exp.Engine", "Exp.Engine.csproj"), "-getItem:PackageReference", .. properties])
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, output + process.StandardError.ReadToEnd());

        using var json = JsonDocument.Parse(output);
        return json.RootElement.GetProperty("Items").GetProperty("PackageReference").EnumerateArray()
            .Select(item => item.GetProperty("Identity").GetString()!)
            .ToArray();
    }
}
