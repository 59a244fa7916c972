using System.Text;
using Exp.Catalog;
using Exp.Cli.Tests.Support;
using Exp.Runner.Trials;
using Exp.Testing;

namespace Exp.Cli.Tests;

/// <summary>
/// A password in the tracking URI signs the runs in, as MLflow's own client does with it, and is
/// written nowhere: not in a tag, the spec artifact, the report, a job file or a log, locally or
/// on the server.
/// </summary>
public sealed class CredentialsTests : IDisposable
{
    private const string Secret = "S3CRET-in-uri";

    private readonly Workspace workspace = new();

    [Fact]
    public async Task A_password_in_the_tracking_uri_signs_every_run_in_and_is_written_nowhere()
    {
        await using var server = await MlflowStandInServer.StartNewAsync();
        server.RequiredAuthorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"alice:{Secret}"));
        var withPassword = new UriBuilder(server.Uri) { UserName = "alice", Password = Secret }.Uri.ToString();
        var spec = workspace.WriteSpec($$"""
            experiment: credentials
            # tracking.uri below is replaced on the command line; the file names the server the same way.
            tracking: {uri: "{{withPassword}}"}
            data: {dataset: fashion-mnist, train_limit: 200, test_limit: 50}
            model: {channels: [4], latent_dim: 2}
            train: {epochs: 1, batch_size: 100}
            eval: {sample_count: 4, reconstruction_count: 4, test_iwae_samples: 0}
            sweep:
              parameters:
                loss.kl_weight: [0.1, 1.0]
            """);

        var result = await ExpProcess.RunAsync(workspace.Directory, "run", spec, $"tracking.uri={withPassword}");

        // Every run arrived, signed in by the trial processes as well as by exp run itself.
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(3, server.Runs.Count);
        Assert.All(server.Runs, run => Assert.Equal("FINISHED", run.Status));
        var sweep = Assert.Single(server.Runs, run => run.Tags.ContainsKey(TrialTags.SweepId));
        Assert.Equal($"tracking.uri=http://***@127.0.0.1:{server.Port}/", sweep.Tags[TrialTags.Overrides]);
        Assert.Contains(Files(), file => file.EndsWith("/artifacts/report.html", StringComparison.Ordinal));

        // The whole store (job files, logs, tags, params, spec.yaml, report.html), the console, and every request body the server got.
        Assert.DoesNotContain(Files(), file => File.ReadAllText(file).Contains(Secret, StringComparison.Ordinal));
        Assert.DoesNotContain(Secret, result.Output + result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, request => request.Body.Contains(Secret, StringComparison.Ordinal));
        Assert.DoesNotContain(server.Artifacts.Values, bytes => Encoding.UTF8.GetString(bytes).Contains(Secret, StringComparison.Ordinal));
    }

    private IEnumerable<string> Files() => Directory.EnumerateFiles(workspace.Runs, "*", SearchOption.AllDirectories);

    public void Dispose() => workspace.Dispose();
}
