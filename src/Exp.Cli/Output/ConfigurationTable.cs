using Spectre.Console;

namespace Exp.Cli.Output;

/// <summary>A sweep with replicates, one row per configuration: mean ± sd over the replicates that trained to their end, and n.</summary>
public static class ConfigurationTable
{
    /// <param name="ranked">Best mean first.</param>
    /// <param name="completed">Which replicates count: those trained to their end.</param>
    public static Table Of<T>(
        string title,
        IReadOnlyList<Configuration<T>> ranked,
        Func<T, string> name,
        Func<T, IReadOnlyDictionary<string, double>> metrics,
        Func<T, bool> completed,
        IReadOnlyList<(string Title, string Key)> columns)
    {
        var table = new Table().Title(Markup.Escape(title)).AddColumns("#", "configuration", "n");
        foreach (var (column, _) in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column + ", mean ± sd")).RightAligned());
        }
        var rank = 0;
        foreach (var configuration in ranked)
        {
            rank++;
            var finished = configuration.Replicates.Count(completed);
            table.AddRow(
            [
                rank.ToString(), Markup.Escape(Configurations.NameOf(name(configuration.Replicates[0]))),
                finished == configuration.Replicates.Count ? $"{finished}" : $"{finished} of {configuration.Replicates.Count}",
                .. columns.Select(c => MetricFormat.Of(configuration.Of(r => metrics(r).TryGetValue(c.Key, out var v) ? v : null, completed))),
            ]);
        }
        return table;
    }
}
