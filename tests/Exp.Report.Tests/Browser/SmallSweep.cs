using System.Text.RegularExpressions;
using Exp.Testing;
using Microsoft.Playwright;

namespace Exp.Report.Tests.Browser;

/// <summary>
/// A small real sweep, made once for the browser tests: `exp run` trains four trials on a
/// Fashion-MNIST subset (three KL weights, and one that diverges), with every figure a trial
/// logs (the proposal comparison included, as in the main example), writes its report and
/// says where; then a browser is started.
/// </summary>
public sealed partial class SmallSweep : IAsyncLifetime
{
    public const string Experiment = "report-in-browser";
    public const int TrialCount = 4;
    public const string DivergingTrial = "optimizer=sgd";

    private const string Spec = """
        experiment: report-in-browser
        description: three KL weights on a Fashion-MNIST subset, and a learning rate that diverges
        data:
          dataset: fashion-mnist
          train_limit: 300
          test_limit: 100
        model:
          channels: [8, 16]
          latent_dim: 4
        loss:
          noise_sigma: 0.1
          kl_weight: 1.0e-3
          kl_mode: fraction
        train:
          epochs: 2
          batch_size: 50
          lr: 1.0e-3
          log_every: 1
        eval:
          sample_count: 16
          reconstruction_count: 8
          iwae_samples: 4
          proposal_comparison: true
          proposal_k: [1, 10, 100]
          proposal_images: 4
          proposal_repeats: 2
        sweep:
          method: list
          trials:
            - {loss.kl_weight: 1.0e-4}
            - {loss.kl_weight: 1.0e-2}
            - {loss.kl_weight: 0.5}
            - {loss.kl_weight: 1.0e-3, train.optimizer: sgd, train.lr: 1.0e+12}
        """;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("exp-report-").FullName;

    public string Runs => Path.Combine(Directory, "runs");

    /// <summary>What `exp run` printed.</summary>
    public ExpResult Run { get; private set; } = null!;

    /// <summary>The report `exp run` wrote at the end of the sweep.</summary>
    public string RunReport { get; private set; } = null!;

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots are kept for people to look at (ignored by git).</summary>
    public static string ScreenshotFolder => Path.Combine(RepoPaths.Root, "artifacts", "report-tests");

    public async Task InitializeAsync()
    {
        File.WriteAllText(Path.Combine(Directory, "kl.yaml"), Spec);
        Run = await ExpProcess.RunAsync(Directory, "run", "kl.yaml");
        // The diverging trial fails the sweep (exit code 1); the other three finish.
        Assert.True(Run.ExitCode == 1, Run.ToString());
        RunReport = ReportLine().Match(Run.Output) is { Success: true } match ? match.Groups[1].Value.Trim() : throw new InvalidOperationException(Run.ToString());
        (Playwright, Browser) = await Chromium.LaunchAsync();
        System.IO.Directory.CreateDirectory(ScreenshotFolder);
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    [GeneratedRegex(@"^Report: (.+)$", RegexOptions.Multiline)]
    private static partial Regex ReportLine();
}

[CollectionDefinition(Name)]
public sealed class SmallSweepCollection : ICollectionFixture<SmallSweep>
{
    public const string Name = "small sweep in a browser";
}
