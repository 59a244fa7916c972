using Exp.Testing;
using Exp.Tracking.Forwarding;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking.Tests.Support;
using Exp.Tracking.Rest;

namespace Exp.Tracking.Tests.Rest;

/// <summary>
/// A server that answers, but not as MLflow does: each push ends with an account that says
/// what the server answered, never an unhandled exception and never "unreachable".
/// </summary>
public sealed class ServerAnswerTests : IDisposable
{
    private static readonly MlflowClientOptions FastClient = new()
    {
        MaxRetries = 1,
        RetryDelay = TimeSpan.FromMilliseconds(5),
        RequestTimeout = TimeSpan.FromSeconds(100),
    };

    private readonly TemporaryDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData("text/html", "<!doctype html>\n<title>Sign in</title><form action=/oauth2/start>", "(text/html: \"<!doctype html>\\u000a<title>Sign in</title>")]
    [InlineData("application/json", "{\"experiment\": {\"experiment_id\": ", "(application/json: \"{\"experiment\": {\"experiment_id\": \")")]
    [InlineData("application/json", "null", "(application/json: \"null\")")]
    public async Task A_success_answer_that_is_not_MLflow_JSON_is_named_with_the_body_and_the_run_stays_local(string contentType, string body, string shown)
    {
        await WriteOneRunAsync();
        await using var server = await MlflowStandInServer.StartNewAsync();
        server.AnswerEveryRequestWith = new ForeignAnswer(200, contentType, body);

        var summary = await PushAsync(server);

        var missing = Assert.Single(summary.Delivery.Missing);
        Assert.True(missing.Refused);
        Assert.StartsWith("the server answered MLflow experiments/get-by-name with HTTP 200 but not with MLflow's JSON ", missing.Reason, StringComparison.Ordinal);
        Assert.Contains(shown, missing.Reason, StringComparison.Ordinal);
        Assert.EndsWith($"check that {server.Uri} is an MLflow tracking server (a proxy or a login page in front of it answers with HTML)", missing.Reason, StringComparison.Ordinal);
        // Not sent again: a login page does not turn into MLflow by asking twice.
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_server_error_is_reported_as_the_answer_it_was_not_as_unreachable()
    {
        await WriteOneRunAsync();
        await using var server = await MlflowStandInServer.StartNewAsync();
        server.AnswerEveryRequestWith = new ForeignAnswer(500, "text/html", "<title>500 Internal Server Error</title>");

        var summary = await PushAsync(server);

        var missing = Assert.Single(summary.Delivery.Missing);
        Assert.False(missing.Refused);
        Assert.Equal(
            "the server answered HTTP 500 Internal Server Error to experiments/get-by-name "
            + "(MLflow experiments/get-by-name failed with HTTP 500 : not MLflow's error JSON (text/html: \"<title>500 Internal Server Error</title>\"))",
            missing.Reason);
        // A 5xx is worth asking again: the client's retry was spent on it.
        Assert.Equal(1 + FastClient.MaxRetries, server.Requests.Count);
    }

    private async Task<PushSummary> PushAsync(MlflowStandInServer server)
    {
        using var client = new MlflowRestClient(server.Uri, FastClient);
        return await new RunPusher(new FileStore(_root.Path), client).PushAllAsync();
    }

    private async Task WriteOneRunAsync()
    {
        await using var tracker = Tracker.Open(new TrackingTarget(_root.Path, null));
        var experiment = tracker.GetOrCreateExperiment("answers");
        await using var run = tracker.StartRun(experiment.ExperimentId, new RunStart("trial"));
        run.LogParams([new Param("train.epochs", "1")]);
        await run.EndAsync(RunStatus.Finished);
    }
}
