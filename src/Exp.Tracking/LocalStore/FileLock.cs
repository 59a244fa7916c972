namespace Exp.Tracking.LocalStore;

/// <summary>
/// An exclusive lock between processes on one file. .NET takes an advisory lock (flock) for
/// <see cref="FileShare.None"/> on Unix and a sharing lock on Windows, so a second process
/// cannot open the file until the first disposes it; the lock also ends if the holder dies.
/// </summary>
public sealed class FileLock : IDisposable
{
    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    public static FileLock Acquire(string path, TimeSpan timeout)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (TryAcquire(path) is { } acquired)
            {
                return acquired;
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw new IOException($"Timed out after {timeout.TotalSeconds:0}s waiting for the lock {path}.");
            }
            Thread.Sleep(Random.Shared.Next(5, 25));
        }
    }

    /// <summary>The lock if no one holds it now, otherwise null (used to tell whether a run's writer is alive).</summary>
    public static FileLock? TryAcquire(string path)
    {
        try
        {
            return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose() => _stream.Dispose();
}
