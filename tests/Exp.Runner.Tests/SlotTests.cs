using Exp.Runner.Sweeps;

namespace Exp.Runner.Tests;

public class SlotTests
{
    [Fact]
    public void On_the_cpu_parallel_trials_share_the_cores_and_never_outnumber_them()
    {
        var slots = Slot.Plan(parallel: 4, cores: 2, gpus: 0, trialsPerGpu: 1);
        Assert.Equal(2, slots.Count);
        Assert.All(slots, slot => Assert.Equal((1, (int?)null), (slot.Threads, slot.Gpu)));
    }

    [Fact]
    public void One_trial_on_the_cpu_gets_every_core()
    {
        var slot = Assert.Single(Slot.Plan(parallel: 1, cores: 16, gpus: 0, trialsPerGpu: 1));
        Assert.Equal(16, slot.Threads);
    }

    [Fact]
    public void Trials_are_packed_onto_gpus_round_robin_up_to_trials_per_gpu()
    {
        var slots = Slot.Plan(parallel: 10, cores: 16, gpus: 2, trialsPerGpu: 3);
        Assert.Equal(6, slots.Count);
        Assert.Equal([0, 1, 0, 1, 0, 1], slots.Select(s => s.Gpu!.Value));
        Assert.All(slots, slot => Assert.Equal(2, slot.Threads));
    }

    [Fact]
    public void Fewer_trials_asked_than_gpu_room_use_fewer_slots()
    {
        Assert.Equal(3, Slot.Plan(parallel: 3, cores: 16, gpus: 4, trialsPerGpu: 2).Count);
    }
}
