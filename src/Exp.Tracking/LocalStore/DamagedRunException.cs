namespace Exp.Tracking.LocalStore;

/// <summary>
/// A file of one run that cannot be read (a meta.yaml, metric line, param or tag file
/// damaged by a crash, a disk or a hand edit). Readers of many runs skip that run with one
/// warning naming the file and go on with the others (<see cref="FileStore.TryReadRun{T}"/>).
/// The message is printable: what the file held is shown with its control characters escaped.
/// </summary>
public sealed class DamagedRunException(string file, string problem, Exception? cause = null)
    : IOException(PrintableText.Of($"{file}: {problem}"), cause)
{
    public string File { get; } = file;

    /// <summary>The warning a command prints for it.</summary>
    public string Warning => $"{Message}; that run is skipped (repair or remove the file)";
}
