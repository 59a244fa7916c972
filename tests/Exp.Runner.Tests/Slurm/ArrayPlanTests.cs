using Exp.Runner.Slurm;

namespace Exp.Runner.Tests.Slurm;

public class ArrayPlanTests
{
    private static List<ElementTrial> Trials(int count) =>
        Enumerable.Range(0, count).Select(i => new ElementTrial($"t{i}", $"r{i}", $"/runs/1/r{i}", ["exp", "trial"])).ToList();

    [Fact]
    public void Arrays_are_split_so_that_no_index_reaches_MaxArraySize()
    {
        var chunks = ArrayPlan.Split(Trials(7), trialsPerElement: 1, maxArraySize: 3);

        Assert.Equal([3, 3, 1], chunks.Select(c => c.Elements.Count));
        Assert.All(chunks, chunk => Assert.All(chunk.Elements, element => Assert.InRange(element.Index, 0, 2)));
        Assert.All(chunks, chunk => Assert.Equal(3, chunk.Of));
        Assert.Equal(["t0", "t1", "t2", "t3", "t4", "t5", "t6"], chunks.SelectMany(c => c.Elements).SelectMany(e => e.Trials).Select(t => t.TrialId));
    }

    [Fact]
    public void Short_trials_are_grouped_a_fixed_number_per_element_in_plan_order()
    {
        var chunks = ArrayPlan.Split(Trials(5), trialsPerElement: 2, maxArraySize: 1001);

        var elements = Assert.Single(chunks).Elements;
        Assert.Equal([["t0", "t1"], ["t2", "t3"], ["t4"]], elements.Select(e => e.Trials.Select(t => t.TrialId).ToArray()));
    }
}
