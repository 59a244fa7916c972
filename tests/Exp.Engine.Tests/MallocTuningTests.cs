using Exp.Engine.Native;

namespace Exp.Engine.Tests;

public class MallocTuningTests
{
    [Theory]
    [InlineData(null, null, MallocTuning.Decision.Tune)]
    [InlineData("on", null, MallocTuning.Decision.Tune)]
    [InlineData("off", null, MallocTuning.Decision.TurnedOff)]
    [InlineData(" OFF ", null, MallocTuning.Decision.TurnedOff)]
    [InlineData("0", null, MallocTuning.Decision.TurnedOff)]
    [InlineData("false", null, MallocTuning.Decision.TurnedOff)]
    [InlineData(null, "glibc.malloc.mmap_threshold=1048576", MallocTuning.Decision.LeftToGlibcTunables)]
    [InlineData(null, "glibc.pthread.rseq=0:glibc.malloc.arena_max=2", MallocTuning.Decision.LeftToGlibcTunables)]
    [InlineData(null, "glibc.pthread.rseq=0", MallocTuning.Decision.Tune)]
    public void The_environment_decides_whether_malloc_is_tuned(string? expSetting, string? glibcTunables, MallocTuning.Decision expected)
    {
        var environment = new Dictionary<string, string?> { [MallocTuning.Variable] = expSetting, ["GLIBC_TUNABLES"] = glibcTunables };

        Assert.Equal(expected, MallocTuning.Decide(name => environment.GetValueOrDefault(name)));
    }

    [Fact]
    public void This_glibc_accepts_the_thresholds_top_pad_and_arena_limit()
    {
        // mallopt refuses an mmap threshold above its maximum (32 MiB on 64-bit) by returning 0,
        // which Apply reports as NotGlibc rather than the Tune that the environment asked for; so would
        // a refused top pad or arena limit.
        Assert.Equal(MallocTuning.Decide(Environment.GetEnvironmentVariable), MallocTuning.Apply());
    }
}
