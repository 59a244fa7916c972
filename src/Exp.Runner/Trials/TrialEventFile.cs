using System.Text;

namespace Exp.Runner.Trials;

/// <summary>
/// A trial's event stream as a file (<see cref="RunFolders.Events"/>), for launchers that cannot
/// read the trial's stdout (a cluster's element): the trial appends each <see cref="TrialEvent"/>
/// as the line it would print, and the launcher reads what was added since it last looked.
/// </summary>
public static class TrialEventFile
{
    /// <summary>Appends events to the file, one line each, flushed at once so a reader sees whole lines; safe from any thread.</summary>
    public sealed class Writer(string path) : IDisposable
    {
        private readonly StreamWriter file = new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete), new UTF8Encoding(false)) { AutoFlush = true };

        public void Write(TrialEvent trialEvent)
        {
            var line = trialEvent.Encode() + "\n";
            lock (file)
            {
                file.Write(line);
            }
        }

        public void Dispose() => file.Dispose();
    }

    /// <summary>Reads the events added to the file since the last call; a line still being written waits for the next.</summary>
    public sealed class Reader(string path)
    {
        private long read;

        public IReadOnlyList<TrialEvent> ReadNew()
        {
            if (!File.Exists(path))
            {
                return [];
            }
            string added;
            using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                file.Seek(read, SeekOrigin.Begin);
                using var text = new StreamReader(file, Encoding.UTF8);
                added = text.ReadToEnd();
            }
            var complete = added.LastIndexOf('\n') + 1;
            read += Encoding.UTF8.GetByteCount(added.AsSpan(0, complete));
            return added[..complete].Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(TrialEvent.TryDecode)
                .OfType<TrialEvent>()
                .ToList();
        }
    }
}
