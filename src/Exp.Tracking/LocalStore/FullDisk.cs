namespace Exp.Tracking.LocalStore;

/// <summary>Which write errors mean that the disk (or the user's quota on it) is full.</summary>
public static class FullDisk
{
    // .NET on Unix puts the errno in HResult: ENOSPC and EDQUOT (Linux numbers); on Windows, ERROR_DISK_FULL and ERROR_HANDLE_DISK_FULL.
    private const int NoSpace = 28;
    public const int QuotaExceeded = 122;
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);

    /// <summary>The full-disk error that <paramref name="error"/> is or wraps (a run's recorder wraps its write's); null when none is.</summary>
    public static IOException? Cause(Exception? error) => error switch
    {
        null => null,
        IOException { HResult: NoSpace or QuotaExceeded or WindowsDiskFull or WindowsHandleDiskFull } full => full,
        _ => Cause(error.InnerException),
    };
}
