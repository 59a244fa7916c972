using Exp.Runner.Catalog;

namespace Exp.Cli.Output;

/// <summary>
/// The last line of a command that wrote to a server: what reached it and what did not.
/// All there: on stdout. Missing runs: on stderr, a warning when the server was only
/// unreachable (the runs are safe locally), an error when it refused something.
/// </summary>
public static class DeliveryAccount
{
    /// <param name="toStdout">False where stdout holds one JSON document or CSV table: the account then goes to stderr too.</param>
    public static void Print(ServerDelivery? delivery, bool toStdout = true)
    {
        if (delivery is null)
        {
            return;
        }
        if (delivery.Complete && !toStdout)
        {
            Console.Error.WriteLine(delivery.Summary);
            return;
        }
        if (delivery.Complete)
        {
            Console.WriteLine(delivery.Summary);
            return;
        }
        Console.Out.Flush();
        Console.Error.WriteLine($"{(delivery.AnyRefused ? "error" : "warning")}: {delivery.Summary}");
    }
}
