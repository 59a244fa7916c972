using System.Reflection;
using Exp.Engine.Objective;

namespace Exp.Engine.Tests.Objective;

public class MetricGoalTests
{
    [Fact]
    public void Every_metric_declares_which_way_is_better()
    {
        var undeclared = typeof(Metrics).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral && field.GetCustomAttribute<GoalAttribute>() is null)
            .Select(field => field.Name)
            .ToList();
        Assert.Empty(undeclared);
    }

    [Theory]
    [InlineData(Metrics.Elbo, MetricGoal.Higher)]
    [InlineData(Metrics.Iwae, MetricGoal.Higher)]
    [InlineData(Metrics.BitsPerDim, MetricGoal.Lower)]
    [InlineData(Metrics.TrainLoss, MetricGoal.Lower)]
    [InlineData(Metrics.Sigma, MetricGoal.None)]
    [InlineData(Metrics.Kl, MetricGoal.None)]
    [InlineData(Metrics.AggregateKl, MetricGoal.Lower)]
    [InlineData("eval/not_a_metric", MetricGoal.None)]
    public void Goals_are_read_from_the_declarations(string key, MetricGoal goal) => Assert.Equal(goal, Metrics.GoalOf(key));
}
