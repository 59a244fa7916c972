namespace Exp.Runner.Launching;

/// <summary>
/// How to start the `exp trial --job` verb in a new process: the program and the arguments that
/// come before the verb (`dotnet exp.dll` when exp runs through the dotnet host).
/// </summary>
public sealed record ExpExecutable(string FileName, IReadOnlyList<string> LeadingArguments)
{
    /// <summary>The command that started this process, which is the `exp` this sweep runs with.</summary>
    public static ExpExecutable OfThisProcess()
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this process is unknown");
        var entryAssembly = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        var isDotnetHost = Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return isDotnetHost && !string.IsNullOrEmpty(entryAssembly)
            ? new ExpExecutable(processPath, [entryAssembly])
            : new ExpExecutable(processPath, []);
    }
}
