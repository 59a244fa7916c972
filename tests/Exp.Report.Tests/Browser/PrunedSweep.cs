using Exp.Testing;
using Microsoft.Playwright;

namespace Exp.Report.Tests.Browser;

/// <summary>
/// A small real grid sweep with ASHA, made once for the browser tests of pruned trials: `exp run` trains
/// three KL weights on a Fashion-MNIST subset to the first rung (1 of 2 epochs), the best third (one)
/// goes on to 2 epochs, the other two are pruned there; then a browser is started.
/// </summary>
public sealed class PrunedSweep : IAsyncLifetime
{
    public const string Name = "asha-grid";
    public const int TrialCount = 3;
    public const int Pruned = 2;

    private const string Spec = """
        experiment: report-pruned-in-browser
        description: three KL weights on a Fashion-MNIST subset, ASHA keeps the best third
        data:
          dataset: fashion-mnist
          train_limit: 600
          test_limit: 100
        model:
          channels: [8, 16]
          latent_dim: 4
        loss:
          noise_sigma: 0.1
        train:
          batch_size: 50
          lr: 3.0e-3
          log_every: 1
        eval:
          sample_count: 16
          reconstruction_count: 8
        sweep:
          scheduler: {type: asha, min_epochs: 1, reduction_factor: 3, max_epochs: 2}
          parameters:
            loss.kl_weight: [1.0e-3, 1.0e-1, 1.0]
        """;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("exp-report-pruned-").FullName;

    public string Runs => Path.Combine(Directory, "runs");

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        File.WriteAllText(Path.Combine(Directory, Name + ".yaml"), Spec);
        // One trial at a time, so all three pause at the first rung before one goes on.
        var run = await ExpProcess.RunAsync(Directory, "run", Name + ".yaml", "--parallel", "1");
        Assert.True(run.ExitCode == 0 && run.Output.Contains($"1 of {TrialCount} trials finished, {Pruned} pruned early", StringComparison.Ordinal), run.ToString());
        (Playwright, Browser) = await Chromium.LaunchAsync();
        System.IO.Directory.CreateDirectory(SmallSweep.ScreenshotFolder);
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
