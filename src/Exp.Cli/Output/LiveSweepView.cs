using Exp.Runner.Search;
using Exp.Runner.Sweeps;
using Exp.Runner.Trials;
using Exp.Spec;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Exp.Cli.Output;

/// <summary>The live console view of `exp run` on a terminal: overall progress and a line per running trial.</summary>
public sealed class LiveSweepView : ISweepObserver
{
    private const int RecentLines = 8;
    private readonly SweepBoard board = new();
    private readonly Queue<string> recent = new();

    public async Task<T> ShowWhile<T>(Task<T> sweep)
    {
        await AnsiConsole.Live(Render()).AutoClear(false).StartAsync(async context =>
        {
            while (!sweep.IsCompleted)
            {
                context.UpdateTarget(Render());
                await Task.WhenAny(sweep, Task.Delay(TimeSpan.FromMilliseconds(250)));
            }
            context.UpdateTarget(Render());
        });
        return await sweep;
    }

    public void SweepStarted(SweepStart start) => board.Started(start);

    public void TrialStarted(Trial trial, string runId, Slot slot) => board.TrialStarted(trial, slot);

    public void TrialProgress(Trial trial, TrialEvent progress) => board.TrialProgress(trial, progress);

    public void TrialEnded(TrialResult result)
    {
        board.TrialEnded(result);
        Remember(SweepLines.Ended(result));
    }

    public void SearchDecided(SearchEvent update)
    {
        board.Searched(update);
        foreach (var line in SweepLines.Decided(update))
        {
            Remember(line);
        }
    }

    public void Notice(string message) => Remember(message);

    private void Remember(string line)
    {
        lock (recent)
        {
            recent.Enqueue(line);
            if (recent.Count > RecentLines)
            {
                recent.Dequeue();
            }
        }
    }

    private IRenderable Render()
    {
        var state = board.Take();
        var header = new Markup(Markup.Escape(SweepLines.Overall(state)
            + (state.Search is { } search && search.Scheduler.Kind == SchedulerKind.Asha ? "\n" + SweepLines.Rungs(search) : "")));
        var table = new Table().Border(TableBorder.Simple).AddColumns("trial", "epoch", "progress", "loss", "where");
        foreach (var trial in state.Running)
        {
            table.AddRow(
                Markup.Escape(trial.Trial.Name),
                $"{Math.Max(trial.Epoch, 1)}/{trial.Epochs}",
                Bar(trial.Progress),
                trial.Loss is { } loss ? NumberFormat.Value(loss) : "",
                trial.Slot.Location ?? (trial.Slot.Gpu is { } gpu ? $"GPU {gpu}" : $"CPU x{trial.Slot.Threads}"));
        }
        string[] lines;
        lock (recent)
        {
            lines = [.. recent];
        }
        return new Rows([header, table, .. lines.Select(line => new Markup(Markup.Escape(line)))]);
    }

    /// <summary>A text bar: twenty cells and the percentage.</summary>
    private static string Bar(double fraction)
    {
        var filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * 20);
        return new string('#', filled) + new string('.', 20 - filled) + $" {fraction * 100,3:0}%";
    }
}
