using System.CommandLine;
using Exp.Cli.Hosting;
using Exp.Cli.Output;
using Exp.Runner.Catalog;
using Spectre.Console;

namespace Exp.Cli.Commands;

/// <summary>
/// <c>exp push [--tracking-uri URL] [runs-folder]</c>: sends the runs of a local store to an
/// MLflow server. Safe to repeat: runs already there are not sent again, half-sent ones are
/// completed (the forwarding state kept in each run folder says what arrived).
/// </summary>
public static class PushCommand
{
    public static Command Create()
    {
        var trackingUri = new Option<string?>("--tracking-uri")
        {
            Description = "The MLflow server to push to (default: MLFLOW_TRACKING_URI).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MLFLOW_TRACKING_URI"),
        };
        var command = new Command("push", "Send local runs to an MLflow server; runs already there are not sent twice.");
        command.Options.Add(trackingUri);
        var runs = RunsFolder.AddWithPositionalTo(command);
        command.SetAction((parseResult, cancellationToken) => runs.Of(parseResult) is { } folder
            ? PushAsync(parseResult.GetValue(trackingUri), folder, cancellationToken)
            : Task.FromResult(ExitCodes.InvalidInput));
        return command;
    }

    private static async Task<int> PushAsync(string? trackingUri, string runsFolder, CancellationToken cancellationToken)
    {
        var location = RunsLocation.Of(trackingUri, runsFolder);
        if (RunsPush.CannotPush(location) is { } why)
        {
            await Console.Error.WriteLineAsync(why);
            return ExitCodes.InvalidInput;
        }

        var summary = UsePlainOutput()
            ? await RunsPush.PushAsync(
                location,
                (done, total, name) =>
                {
                    if (done < total)
                    {
                        Console.Error.WriteLine($"[{done + 1}/{total}] {name}");
                    }
                },
                cancellationToken)
            : await AnsiConsole.Progress().StartAsync(async context =>
            {
                var bar = context.AddTask("Pushing runs");
                return await RunsPush.PushAsync(
                    location,
                    (done, total, name) =>
                    {
                        bar.MaxValue = Math.Max(1, total);
                        bar.Value = done;
                        bar.Description = Markup.Escape($"Pushing {name}");
                    },
                    cancellationToken);
            });
        Console.WriteLine(
            $"Read {summary.Runs} run(s); sent {summary.Metrics} metric values, {summary.Params} params, {summary.Tags} tags, {summary.Artifacts} artifacts.");
        foreach (var damage in summary.Damage)
        {
            await Console.Error.WriteLineAsync($"warning: {damage}");
        }
        DeliveryAccount.Print(summary.Delivery);
        // Pushing is all this command does: any run it could not deliver fails it, refused, unreachable or damaged.
        return summary.Delivery.Complete && summary.Damage.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    /// <summary>A live progress bar only on an interactive terminal outside CI; plain lines otherwise.</summary>
    private static bool UsePlainOutput() =>
        Console.IsOutputRedirected
        || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
        || !AnsiConsole.Profile.Capabilities.Interactive;
}
