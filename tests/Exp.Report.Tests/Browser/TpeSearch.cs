using Exp.Testing;
using Microsoft.Playwright;

namespace Exp.Report.Tests.Browser;

/// <summary>
/// A small real TPE search over three parameters, made once for the browser tests of a multi-parameter page: `exp run`
/// trains six trials of one epoch on a Fashion-MNIST subset, three random draws and then three proposals, over a
/// learning rate and a KL weight (both log-uniform) and an activation (a choice); then a browser is started.
/// </summary>
public sealed class TpeSearch : IAsyncLifetime
{
    public const string Name = "tpe3";
    public const int TrialCount = 6;

    private const string Spec = """
        experiment: report-tpe-in-browser
        description: TPE over learning rate, KL weight and activation on a Fashion-MNIST subset
        data:
          dataset: fashion-mnist
          train_limit: 300
          test_limit: 100
        model:
          channels: [8, 16]
          latent_dim: 4
        loss:
          noise_sigma: 0.1
        train:
          epochs: 1
          batch_size: 50
          log_every: 1
        eval:
          sample_count: 16
          reconstruction_count: 8
          test_iwae_samples: 4
        sweep:
          method: tpe
          trials: 6
          startup_trials: 3
          seed: 3
          parameters:
            train.lr: {distribution: loguniform, min: 1.0e-4, max: 1.0e-2}
            loss.kl_weight: {distribution: loguniform, min: 0.01, max: 100.0}
            model.activation: {choice: [relu, leaky_relu, silu]}
        """;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("exp-report-tpe-").FullName;

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The page `exp report` wrote for the search.</summary>
    public string Report => Path.Combine(Directory, "report.html");

    public async Task InitializeAsync()
    {
        File.WriteAllText(Path.Combine(Directory, Name + ".yaml"), Spec);
        var run = await ExpProcess.RunAsync(Directory, "run", Name + ".yaml");
        Assert.True(run.ExitCode == 0 && run.Output.Contains($"{TrialCount} of {TrialCount} trials finished", StringComparison.Ordinal), run.ToString());
        var report = await ExpProcess.RunAsync(Directory, "report", Name, "-o", Report);
        Assert.True(report.ExitCode == 0, report.ToString());
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
