using Snapshooter;
using Snapshooter.Xunit;
using Xunit;

namespace Exp.Testing;

/// <summary>
/// Snapshot matching that refuses to write a missing snapshot on CI: there a new
/// snapshot would pass without ever being reviewed.
/// </summary>
public static class Snapshots
{
    public static void Match(object value, string name)
    {
        var fullName = Snapshot.FullName(new SnapshotNameExtension(name));
        var file = Path.Combine(fullName.FolderPath, "__snapshots__", fullName.Filename);
        if (IsCi && !File.Exists(file))
        {
            Assert.Fail($"Snapshot {file} is missing. Run the tests locally (without CI=true) to write it, review it, and commit it.");
        }
        Snapshot.Match(value, fullName);
    }

    private static bool IsCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}
