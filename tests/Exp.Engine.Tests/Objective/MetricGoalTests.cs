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

    [Fact]
    public void A_sweep_can_optimise_exactly_the_metrics_logged_every_epoch_and_defaults_to_their_declared_goal()
    {
        // The spec layer sits below the engine, so it keeps its own list: this holds the two together.
        var objectives = Exp.Spec.Decoding.SweepDecoder.objectives.ToDictionary(o => o.Item1, o => o.Item2);
        var everyEpoch = Metrics.Declared.Where(key => key.StartsWith("eval/") || key.StartsWith("train/")).Order();

        Assert.Equal(everyEpoch, objectives.Keys.Order());
        foreach (var (key, maximize) in objectives)
        {
            MetricGoal expected = maximize is null ? MetricGoal.None : maximize.Value ? MetricGoal.Higher : MetricGoal.Lower;
            Assert.True(expected == Metrics.GoalOf(key), $"{key}: the spec's default goal is {expected}, the engine declares {Metrics.GoalOf(key)}");
        }
    }
}
