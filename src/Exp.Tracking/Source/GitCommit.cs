namespace Exp.Tracking.Source;

/// <summary>
/// Reads the commit checked out in a git working tree straight from <c>.git</c> (HEAD, the
/// loose ref, or packed-refs), so that no git executable is needed. Worktrees and
/// submodules, whose <c>.git</c> is a file pointing elsewhere, are followed.
/// </summary>
public static class GitCommit
{
    /// <summary>The commit id of the checkout containing <paramref name="directory"/>, or null outside one.</summary>
    public static string? TryRead(string directory)
    {
        for (var current = new DirectoryInfo(Path.GetFullPath(directory)); current is not null; current = current.Parent)
        {
            var dotGit = Path.Combine(current.FullName, ".git");
            if (Directory.Exists(dotGit))
            {
                return ReadHead(dotGit, dotGit);
            }
            if (File.Exists(dotGit) && File.ReadAllText(dotGit).Trim() is var pointer && pointer.StartsWith("gitdir:", StringComparison.Ordinal))
            {
                var gitDirectory = Path.GetFullPath(Path.Combine(current.FullName, pointer["gitdir:".Length..].Trim()));
                var commonFile = Path.Combine(gitDirectory, "commondir");
                var common = File.Exists(commonFile) ? Path.GetFullPath(Path.Combine(gitDirectory, File.ReadAllText(commonFile).Trim())) : gitDirectory;
                return ReadHead(gitDirectory, common);
            }
        }
        return null;
    }

    private static string? ReadHead(string gitDirectory, string commonDirectory)
    {
        var headFile = Path.Combine(gitDirectory, "HEAD");
        if (!File.Exists(headFile))
        {
            return null;
        }
        var head = File.ReadAllText(headFile).Trim();
        if (!head.StartsWith("ref:", StringComparison.Ordinal))
        {
            return IsCommitId(head) ? head : null;
        }
        var reference = head["ref:".Length..].Trim();
        foreach (var root in new[] { gitDirectory, commonDirectory })
        {
            var looseRef = Path.Combine(root, reference.Replace('/', Path.DirectorySeparatorChar));
            if (File.Exists(looseRef) && File.ReadAllText(looseRef).Trim() is var id && IsCommitId(id))
            {
                return id;
            }
        }
        var packed = Path.Combine(commonDirectory, "packed-refs");
        return File.Exists(packed)
            ? File.ReadLines(packed)
                .Select(line => line.Split(' ', 2))
                .Where(parts => parts.Length == 2 && parts[1] == reference && IsCommitId(parts[0]))
                .Select(parts => parts[0])
                .FirstOrDefault()
            : null;
    }

    private static bool IsCommitId(string text) => text.Length is 40 or 64 && text.All(char.IsAsciiHexDigit);
}
