namespace Exp.Runner.Slurm;

/// <summary>One array element as squeue shows it.</summary>
/// <param name="ArrayJobId">The array's job id (what sbatch printed).</param>
/// <param name="Index">The element's index in its array.</param>
/// <param name="State">squeue's long state name, e.g. PENDING, RUNNING, REQUEUED.</param>
/// <param name="Reason">Why it waits (Resources, Priority, JobArrayTaskLimit, BeginTime, ...); "None" when running.</param>
/// <param name="Node">The node it runs on; "" while pending.</param>
public sealed record QueueEntry(string ArrayJobId, int Index, string State, string Reason, string Node)
{
    /// <summary>The element's own id, `array_index`, as scontrol and the run tags write it.</summary>
    public string ElementId => $"{ArrayJobId}_{Index}";

    /// <summary>
    /// squeue lists an element until a while after it ended. These states are not an end:
    /// a preempted or requeued element runs again (submitit once took PREEMPTED as final).
    /// </summary>
    public bool IsFinal => State is "COMPLETED" or "FAILED" or "CANCELLED" or "TIMEOUT" or "OUT_OF_MEMORY" or "NODE_FAIL" or "BOOT_FAIL" or "DEADLINE" or "SPECIAL_EXIT" or "REVOKED";

    public bool IsPending => State is "PENDING" or "REQUEUED" or "REQUEUE_HOLD" or "REQUEUE_FED" or "PREEMPTED" or "SUSPENDED";

    /// <summary>The arguments of squeue that produce the lines <see cref="Parse"/> reads.</summary>
    public static IReadOnlyList<string> SqueueArguments(IEnumerable<string> arrayJobIds) =>
        ["--noheader", "--array", "--states=all", "--format=%F|%K|%T|%r|%N", "--jobs=" + string.Join(',', arrayJobIds)];

    /// <summary>
    /// Reads squeue's lines: `%F|%K|%T|%r|%N` (array job id, array index, state, reason,
    /// nodes). With --array every element has its own line; a line of several pending
    /// elements (`2-5%2` in old versions) is expanded.
    /// </summary>
    public static IReadOnlyList<QueueEntry> Parse(string output)
    {
        var entries = new List<QueueEntry>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split('|');
            if (fields.Length < 5)
            {
                throw new FormatException($"unexpected squeue line '{line}'");
            }
            foreach (var index in Indexes(fields[1]))
            {
                entries.Add(new QueueEntry(fields[0], index, fields[2], fields[3], fields[4]));
            }
        }
        return entries;
    }

    /// <summary>`3`, `2-5`, `1,3-4`, with an optional `%throttle`; `N/A` for a job that is not an array.</summary>
    private static IEnumerable<int> Indexes(string text)
    {
        var withoutThrottle = text.Split('%')[0];
        if (withoutThrottle is "N/A" or "")
        {
            yield break;
        }
        foreach (var part in withoutThrottle.Split(','))
        {
            var range = part.Split('-');
            var first = int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
            var last = range.Length > 1 ? int.Parse(range[1], System.Globalization.CultureInfo.InvariantCulture) : first;
            for (var index = first; index <= last; index++)
            {
                yield return index;
            }
        }
    }
}
