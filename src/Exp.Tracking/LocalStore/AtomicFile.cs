namespace Exp.Tracking.LocalStore;

/// <summary>
/// Whole-file writes that a crash cannot leave half done: the content goes to a temporary
/// file, which is then renamed over the target (atomic within one file system). The
/// temporary file lives in a staging folder the caller names, the run's or experiment's own
/// folder, where MLflow's reader looks at nothing but meta.yaml and known sub-folders; so a
/// leftover from a crash never shows up as a key or an artifact.
/// </summary>
internal static class AtomicFile
{
    public const string TemporaryPrefix = ".exp-tmp-";

    public static void WriteAllText(string path, string content, string stagingDirectory) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(content), stagingDirectory);

    public static void WriteAllBytes(string path, byte[] content, string stagingDirectory) =>
        Replace(path, stagingDirectory, temporary =>
        {
            using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write);
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        });

    private static void Replace(string path, string stagingDirectory, Action<string> writeTemporary)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = Path.Combine(stagingDirectory, TemporaryPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            writeTemporary(temporary);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
