using Exp.Spec;

namespace Exp.Cli.Output;

public static class ErrorReport
{
    /// <summary>A spec with more errors than this shows the first ones: the rest are the same mistake repeated.</summary>
    public const int MaxShown = 100;

    /// <summary>Every error on its own line, `file:line:column: path: message` (the first <see cref="MaxShown"/>), then a count.</summary>
    public static void Print(IReadOnlyCollection<SpecError> errors)
    {
        foreach (var error in errors.Take(MaxShown))
        {
            Console.Error.WriteLine($"error: {error}");
        }
        if (errors.Count > MaxShown)
        {
            Console.Error.WriteLine($"... and {errors.Count - MaxShown:N0} more");
        }
        Console.Error.WriteLine(errors.Count == 1 ? "1 error" : $"{errors.Count:N0} errors");
    }
}
