namespace Exp.Cli.Hosting;

public static class Terminal
{
    /// <summary>Live views only on a terminal, and never on CI, whose logs want plain lines.</summary>
    public static bool IsInteractive =>
        !Console.IsOutputRedirected
        && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}
