namespace Exp.Cli.Commands;

public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>Some trial failed, or the command could not do its work.</summary>
    public const int Failure = 1;
    /// <summary>The spec or the command line is invalid; nothing ran.</summary>
    public const int InvalidInput = 2;
    /// <summary>Stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
