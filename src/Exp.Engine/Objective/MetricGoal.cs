using System.Reflection;

namespace Exp.Engine.Objective;

/// <summary>Which way a metric improves.</summary>
public enum MetricGoal
{
    /// <summary>Neither: a value to read or to trade, not to rank by (sigma, the KL).</summary>
    None,
    Higher,
    Lower,
}

/// <summary>Declares, on a metric's name in <see cref="Metrics"/>, which way it improves.</summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class GoalAttribute(MetricGoal goal) : Attribute
{
    public MetricGoal Goal { get; } = goal;
}

public static partial class Metrics
{
    private static readonly Dictionary<string, MetricGoal> Goals = typeof(Metrics)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(field => field.IsLiteral && field.FieldType == typeof(string))
        .ToDictionary(field => (string)field.GetRawConstantValue()!, field => field.GetCustomAttribute<GoalAttribute>()?.Goal ?? MetricGoal.None);

    /// <summary>Which way <paramref name="key"/> improves, as declared; <see cref="MetricGoal.None"/> for a metric the engine does not report.</summary>
    public static MetricGoal GoalOf(string key) => Goals.GetValueOrDefault(key, MetricGoal.None);

    /// <summary>Every metric name the engine declares.</summary>
    public static IReadOnlyCollection<string> Declared => Goals.Keys;
}
