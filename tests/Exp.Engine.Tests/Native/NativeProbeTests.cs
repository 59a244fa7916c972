using Exp.Engine.Native;

namespace Exp.Engine.Tests.Native;

/// <summary>The probe of oneDNN's own kernels in a child process, and its cache per machine (Linux only, as the probe).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NativeProbeTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("exp-native-probe-").FullName;
    private readonly string? cacheHome = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");

    public NativeProbeTests() => Environment.SetEnvironmentVariable("XDG_CACHE_HOME", Path.Combine(folder, "cache"));

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", cacheHome);
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>A stand-in for exp: answers the probe verb with <paramref name="error"/>, and anything else with exit 2.</summary>
    private string Child(string name, string body)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, $"#!/bin/sh\n[ \"$1\" = \"{CpuKernels.ProbeVerb}\" ] || exit 2\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Fact]
    public void A_childs_answer_is_cached_for_the_machine_and_read_without_a_child()
    {
        var first = NativeProbe.Read(Child("wrong", "echo 0.93"));
        var again = NativeProbe.Read(Child("right", "echo 2e-7"));
        var withoutChild = NativeProbe.Read(null);

        Assert.Equal(new NativeProbe.Verdict(0.93, "in a child process"), first);
        Assert.Equal(0.93, again!.Error);
        Assert.Contains("cached in", again.Source);
        Assert.Equal(0.93, withoutChild!.Error);
        Assert.True(File.Exists(Path.Combine(folder, "cache", "exp", "cpu-kernels.json")));
    }

    [Fact]
    public void A_child_that_fails_gives_no_answer_and_nothing_is_cached()
    {
        Assert.Null(NativeProbe.Read(Child("crashes", "echo 'libtorch failed' >&2; exit 134")));
        Assert.Null(NativeProbe.Read(Child("mute", "echo")));
        Assert.Null(NativeProbe.Read(Path.Combine(folder, "missing")));
        Assert.Null(NativeProbe.Read(null));
    }
}
