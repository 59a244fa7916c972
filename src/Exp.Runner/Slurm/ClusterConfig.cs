namespace Exp.Runner.Slurm;

/// <summary>What exp needs to know of a cluster's configuration (`scontrol show config`).</summary>
public sealed record ClusterConfig(int MaxArraySize)
{
    /// <summary>Slurm's default when the configuration does not say.</summary>
    public const int DefaultMaxArraySize = 1001;

    /// <summary>Reads scontrol's `Key = Value` lines.</summary>
    public static ClusterConfig Parse(string scontrolShowConfig)
    {
        var values = scontrolShowConfig
            .Split('\n')
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0].Trim())
            .ToDictionary(g => g.Key, g => g.First()[1].Trim());
        var maxArraySize = values.TryGetValue("MaxArraySize", out var text) && int.TryParse(text, out var size) && size > 0
            ? size
            : DefaultMaxArraySize;
        return new ClusterConfig(maxArraySize);
    }
}
