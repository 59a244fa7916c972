using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Exp.Engine.Native;

/// <summary>
/// Whether oneDNN's own (widest) instruction set computes convolutions correctly on this CPU. A
/// process's instruction set is fixed once it has convolved, so the probe runs in a child process,
/// and its answer is cached per CPU (model and flags) and TorchSharp version in
/// <c>$XDG_CACHE_HOME/exp/cpu-kernels.json</c> (<c>~/.cache</c> by default): the trials of a sweep
/// ask once per machine, not once each.
/// </summary>
public static class NativeProbe
{
    /// <param name="Error">The probe's largest relative error against float64.</param>
    /// <param name="Source">Where the answer came from, for the trial's log.</param>
    public sealed record Verdict(double Error, string Source);

    private static readonly TimeSpan ChildLimit = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The cached answer, or a child's (then cached); null when there is no answer: no child to ask
    /// (<paramref name="probeExecutable"/> null, e.g. a test host), or it could not answer.
    /// </summary>
    public static Verdict? Read(string? probeExecutable)
    {
        var path = CachePath();
        var key = MachineKey();
        var cache = Load(path);
        if (cache.TryGetValue(key, out var cached))
            return new Verdict(cached, $"once in a child process, cached in {path}");
        if (probeExecutable is null || RunChild(probeExecutable) is not { } error)
            return null;
        cache[key] = error;
        Save(path, cache);
        return new Verdict(error, "in a child process");
    }

    private static string CachePath()
    {
        var root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "exp", "cpu-kernels.json");
    }

    /// <summary>The CPU's model name, a hash of its flags, and the TorchSharp version (which fixes libtorch's).</summary>
    private static string MachineKey()
    {
        var lines = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").Take(64).ToList() : [];
        string Field(string name) => lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var flags = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Field("flags"))), 0, 6).ToLowerInvariant();
        return $"{Field("model name")} (flags {flags}), TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}";
    }

    private static Dictionary<string, double> Load(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(path)) ?? [] : [];
        }
        catch (Exception unreadable) when (unreadable is IOException or UnauthorizedAccessException or JsonException)
        {
            return []; // probed again, and rewritten
        }
    }

    private static void Save(string path, Dictionary<string, double> cache)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            // Trials starting together may both write: each writes the whole file, renamed into place.
            var temporary = $"{path}.{Environment.ProcessId}.tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(cache, new JsonSerializerOptions { WriteIndented = true }));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception unwritable) when (unwritable is IOException or UnauthorizedAccessException)
        {
            // Not cached: the next process probes again.
        }
    }

    private static double? RunChild(string probeExecutable)
    {
        var start = new ProcessStartInfo(probeExecutable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CpuKernels.ProbeVerb);
        try
        {
            using var child = Process.Start(start);
            if (child is null)
                return null;
            var output = child.StandardOutput.ReadToEndAsync();
            _ = child.StandardError.ReadToEndAsync();
            if (!child.WaitForExit(ChildLimit))
            {
                child.Kill(entireProcessTree: true);
                return null;
            }
            var last = output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            return child.ExitCode == 0 && double.TryParse(last, NumberStyles.Float, CultureInfo.InvariantCulture, out var error) ? error : null;
        }
        catch (Exception cannotStart) when (cannotStart is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return null;
        }
    }
}
