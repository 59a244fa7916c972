using Exp.Spec;

namespace Exp.Cli.Output;

public static class ErrorReport
{
    /// <summary>Every error on its own line, `file:line:column: path: message`, then a count.</summary>
    public static void Print(IReadOnlyCollection<SpecError> errors)
    {
        foreach (var error in errors)
        {
            Console.Error.WriteLine($"error: {error}");
        }
        Console.Error.WriteLine(errors.Count == 1 ? "1 error" : $"{errors.Count} errors");
    }
}
