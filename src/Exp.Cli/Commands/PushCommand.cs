using System.CommandLine;
using Exp.Cli.Output;
using Exp.Tracking;
using Exp.Tracking.Forwarding;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Rest;
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
        var runsFolder = new Argument<string>("runs-folder")
        {
            Description = "The local store to push.",
            DefaultValueFactory = _ => TrackingTarget.DefaultLocalDirectory,
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("push", "Send local runs to an MLflow server; runs already there are not sent twice.");
        command.Options.Add(trackingUri);
        command.Arguments.Add(runsFolder);
        command.SetAction((parseResult, cancellationToken) =>
            PushAsync(parseResult.GetValue(trackingUri), parseResult.GetValue(runsFolder) ?? TrackingTarget.DefaultLocalDirectory, cancellationToken));
        return command;
    }

    private static async Task<int> PushAsync(string? trackingUri, string runsFolder, CancellationToken cancellationToken)
    {
        var target = TrackingTarget.Parse(trackingUri, runsFolder);
        if (target.ServerUri is null)
        {
            await Console.Error.WriteLineAsync("exp push needs an http(s):// MLflow server: pass --tracking-uri URL or set MLFLOW_TRACKING_URI.");
            return 2;
        }
        if (!Directory.Exists(runsFolder))
        {
            await Console.Error.WriteLineAsync($"There is no runs folder at '{runsFolder}'.");
            return 2;
        }

        using var client = new MlflowRestClient(target.ServerUri, MlflowClientOptions.FromEnvironment());
        var pusher = new RunPusher(new FileStore(runsFolder), client, runsFolder);
    var summary = UsePlainOutput()
            ? await pusher.PushAllAsync(
                new InlineProgress(progress =>
                {
                    if (progress.RunsDone < progress.RunsTotal)
                    {
                        Console.WriteLine($"[{progress.RunsDone + 1}/{progress.RunsTotal}] {progress.CurrentRunName}");
                    }
                }),
                cancellationToken)
            : await AnsiConsole.Progress().StartAsync(async context =>
            {
                var bar = context.AddTask("Pushing runs");
                return await pusher.PushAllAsync(
                    new InlineProgress(progress =>
                    {
                        bar.MaxValue = Math.Max(1, progress.RunsTotal);
                        bar.Value = progress.RunsDone;
                        bar.Description = Markup.Escape($"Pushing {progress.CurrentRunName}");
                    }),
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
        return summary.Delivery.Complete && summary.Damage.Count == 0 ? 0 : 1;
    }

    /// <summary>A live progress bar only on an interactive terminal outside CI; plain lines otherwise.</summary>
    private static bool UsePlainOutput() =>
        Console.IsOutputRedirected
        || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
        || !AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Reports on the caller's thread, so lines come out in order (<see cref="Progress{T}"/> posts them).</summary>
    private sealed class InlineProgress(Action<PushProgress> report) : IProgress<PushProgress>
    {
        public void Report(PushProgress value) => report(value);
    }
}
