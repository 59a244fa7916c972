using System.Text.RegularExpressions;
using Exp.Tracking.LocalStore;

namespace Exp.Runner.Trials;

/// <summary>
/// A write that failed because the disk (or the user's quota on it) is full: a fault of the
/// machine that the user fixes by freeing space, after which the same command resumes the
/// trials from their last checkpoints. Said in one line that names the file system, not as
/// an IOException's stack trace.
/// </summary>
public static partial class DiskFull
{
    /// <summary>Whether <paramref name="error"/>, or an error it wraps, is a full disk (<see cref="FullDisk"/>).</summary>
    public static bool Is(Exception error) => FullDisk.Cause(error) is not null;

    /// <summary>Whether a trial's failure reason is one <see cref="Describe"/> gave.</summary>
    public static bool IsReason(string? reason) => reason?.StartsWith(NoSpaceLeft, StringComparison.Ordinal) == true;

    private const string NoSpaceLeft = "no space left";

    /// <summary>
    /// "no space left on /data (writing /data/runs/.../model.bin); ..." for a disk-full error:
    /// the mount point that holds the file .NET names in its message, else <paramref name="fallbackPath"/>
    /// (by default the current folder).
    /// </summary>
    public static string Describe(Exception error, string? fallbackPath = null)
    {
        error = FullDisk.Cause(error) ?? error;
        var file = QuotedPath().Match(error.Message) is { Success: true } quoted ? quoted.Groups["path"].Value : null;
        var where = MountPointOf(Path.GetFullPath(file ?? fallbackPath ?? Environment.CurrentDirectory));
        var what = error.HResult == FullDisk.QuotaExceeded ? $"{NoSpaceLeft} (disk quota exceeded)" : NoSpaceLeft;
        return $"{what} on {where}{(file is null ? "" : $" (writing {file})")}: free space there, or set tracking.local to a folder on another disk, "
            + "then run the same command again; trials resume from their last checkpoints";
    }

    /// <summary>The deepest mounted file system that holds <paramref name="path"/>, as the system lists them.</summary>
    private static string MountPointOf(string path)
    {
        try
        {
            return DriveInfo.GetDrives()
                .Select(drive => drive.RootDirectory.FullName)
                .Where(root => path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || path == root)
                .MaxBy(root => root.Length) ?? path;
        }
        catch (IOException)
        {
            return path;
        }
    }

    // .NET's message for a failed write: "No space left on device : '/path/to/file'".
    [GeneratedRegex(@"'(?<path>[^']+)'\s*$")]
    private static partial Regex QuotedPath();
}
