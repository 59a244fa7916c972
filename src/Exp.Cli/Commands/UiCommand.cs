using System.CommandLine;
using System.Net;
using Exp.Cli.Hosting;
using Exp.Report.Serving;
using Exp.Runner.Catalog;

namespace Exp.Cli.Commands;

/// <summary>`exp ui`: the report pages of a local store, served on this machine, live while sweeps run.</summary>
public static class UiCommand
{
    public const int DefaultPort = 8050;

    public static Command Create()
    {
        var command = new Command("ui", "Serve the report pages of every sweep, experiment and trial in a local store, "
            + "refreshing while a sweep runs. Read-only; on 127.0.0.1 unless --host says otherwise");
        var port = new Option<int>("--port", "-p") { Description = $"The port (0 picks a free one)", DefaultValueFactory = _ => DefaultPort };
        var host = new Option<string>("--host")
        {
            Description = "The address to listen on; anything but loopback lets other machines read your runs",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var runs = RunsFolder.AddWithPositionalTo(command);
        command.Options.Add(port);
        command.Options.Add(host);
        command.SetAction(async (parseResult, _) =>
        {
            if (runs.Existing(parseResult) is not { } path)
            {
                return ExitCodes.InvalidInput;
            }
            var hostText = parseResult.GetValue(host)!;
            IPAddress? address = hostText == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(hostText, out var parsed) ? parsed : null;
            if (address is null || parseResult.GetValue(port) is < 0 or > 65535)
            {
                Console.Error.WriteLine($"error: --host takes an IP address such as 127.0.0.1 or 0.0.0.0 (got '{hostText}'), --port a number from 0 to 65535");
                return ExitCodes.InvalidInput;
            }
            using var signals = new StopSignals(secondStopsAtOnce: false);
            await using var server = await ReportServer.StartAsync(path, address, parseResult.GetValue(port));
            if (!IPAddress.IsLoopback(address))
            {
                Console.Error.WriteLine($"warning: listening on {address}: anyone who can reach this machine can read these runs");
            }
            Console.WriteLine($"Serving {Path.GetFullPath(path)} at {server.Address} (read-only; Ctrl-C stops)");
            await server.WaitForShutdownAsync(signals.Stop);
            return ExitCodes.Success;
        });
        return command;
    }
}
