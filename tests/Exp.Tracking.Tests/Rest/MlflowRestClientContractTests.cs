using System.Net;
using System.Text;
using Exp.Tracking.Model;
using Exp.Tracking.Rest;
using Exp.Testing;
using Exp.Tracking.Tests.Support;

namespace Exp.Tracking.Tests.Rest;

public sealed class MlflowRestClientContractTests : IAsyncLifetime
{
    private static readonly MlflowClientOptions FastRetries = new() { MaxRetries = 3, RetryDelay = TimeSpan.FromMilliseconds(5) };
    private MlflowStandInServer _server = null!;

    public async Task InitializeAsync() => _server = await MlflowStandInServer.StartNewAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Experiments_and_runs_round_trip()
    {
        using var client = new MlflowRestClient(_server.Uri, FastRetries);

        Assert.Null(await client.GetExperimentByNameAsync("sweeps"));
        var experimentId = await client.GetOrCreateExperimentAsync("sweeps");
        Assert.Equal(experimentId, await client.GetOrCreateExperimentAsync("sweeps"));
        var run = await client.CreateRunAsync(experimentId, "trial", "me", 1234, [new RunTag("k", "v")]);
        await client.SetTagAsync(run.RunId, "late", "tag");
        var ended = await client.UpdateRunAsync(run.RunId, RunStatus.Finished, 5678);
        var fetched = await client.GetRunAsync(run.RunId);
        var found = await client.SearchRunsAsync([experimentId], "tags.`k` = 'v'");

        Assert.Equal((RunStatus.Finished, 5678L), (ended.Status, ended.EndTime));
        Assert.Equal(("trial", 1234L), (fetched.Info.RunName, fetched.Info.StartTime));
        Assert.Contains(new RunTag("late", "tag"), fetched.Data!.Tags!);
        Assert.Equal(run.RunId, Assert.Single(found).Info.RunId);
        Assert.Equal($"mlflow-artifacts:/{experimentId}/{run.RunId}/artifacts", run.ArtifactUri);
    }

    [Fact]
    public async Task A_large_batch_is_split_within_the_documented_limits()
    {
        using var client = new MlflowRestClient(_server.Uri, FastRetries);
        var run = await client.CreateRunAsync(await client.CreateExperimentAsync("e"), "r", "u", 1, []);
        var batch = new LogBatch(
            Enumerable.Range(0, 2500).Select(step => new Metric("loss", step == 7 ? double.NaN : step, 100, step)).ToList(),
            Enumerable.Range(0, 150).Select(index => new Param($"p{index}", "v")).ToList(),
            Enumerable.Range(0, 120).Select(index => new RunTag($"t{index}", "v")).ToList());
        var parts = new List<LogBatch>();

        await client.LogBatchAsync(run.RunId, batch, parts.Add);

        // The stand-in rejects any request over the limits, so every request here was within them.
        Assert.Equal(parts.Count, _server.CountOf("/api/2.0/mlflow/runs/log-batch"));
        Assert.All(parts, part => Assert.True(part.Metrics.Count <= 1000 && part.Params.Count <= 100 && part.Tags.Count <= 100 && part.Count <= 1000));
        var stored = Assert.Single(_server.Runs);
        Assert.Equal(Enumerable.Range(0, 2500).Select(step => (long)step), stored.Metrics.Select(metric => metric.Step));
        Assert.True(double.IsNaN(stored.Metrics[7].Value));
        Assert.Equal(150, stored.Params.Count);
        Assert.Equal(121, stored.Tags.Count); // 120 and mlflow.runName
    }

    [Fact]
    public async Task Large_values_are_split_by_request_size()
    {
        var parameters = Enumerable.Range(0, 100).Select(index => new Param($"p{index}", new string('x', 6000))).ToList();

        var parts = new LogBatch([], parameters, []).Split().ToList();

        Assert.True(parts.Count > 1);
        Assert.Equal(parameters, parts.SelectMany(part => part.Params));
    }

    [Theory]
    [InlineData("{}", "Missing value for required parameter 'run_id'")]
    [InlineData("""{"run_id": 5}""", "expected a string")]
    [InlineData("""{"run_id": "RUN", "metrics": [{"key": "m", "value": "high", "timestamp": 1}]}""", "valid double")]
    [InlineData("""{"run_id": "RUN", "metrics": [{"key": "m", "value": 1}]}""", "'metrics[0].timestamp'")]
    [InlineData("""{"run_id": "RUN", "metrics": [{"key": "../m", "value": 1, "timestamp": 1}]}""", "must not resolve to other names")]
    [InlineData("""{"run_id": "RUN", "params": [{"key": "p?", "value": "a"}]}""", "Names may only contain")]
    [InlineData("""{"run_id": "RUN", "params": [{"key": "p", "value": "a"}, {"key": "p", "value": "a"}]}""", "Duplicate parameter keys")]
    public async Task The_stand_in_rejects_what_the_real_api_rejects(string body, string reason)
    {
        using var client = new MlflowRestClient(_server.Uri, FastRetries);
        var run = await client.CreateRunAsync(await client.CreateExperimentAsync("e"), "r", "u", 1, []);
        using var http = new HttpClient { BaseAddress = _server.Uri };

        var response = await http.PostAsync("api/2.0/mlflow/runs/log-batch", new StringContent(body.Replace("RUN", run.RunId, StringComparison.Ordinal), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("INVALID_PARAMETER_VALUE", error.RootElement.GetProperty("error_code").GetString());
        Assert.Contains(reason, error.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_request_of_the_client_is_chunked()
    {
        using var client = new MlflowRestClient(_server.Uri, FastRetries);
        var experimentId = await client.GetOrCreateExperimentAsync("every-call");
        var run = await client.CreateRunAsync(experimentId, "r", "u", 1, [new RunTag("k", "v")]);
        await client.LogBatchAsync(run.RunId, new LogBatch([new Metric("m", 1, 2, 3)], [new Param("p", "1e-05")], [new RunTag("t", "v")]));
        await client.SetTagAsync(run.RunId, "late", "tag");
        await client.UpdateRunAsync(run.RunId, RunStatus.Finished, 5);
        await client.GetRunAsync(run.RunId);
        await client.SearchRunsAsync([experimentId], "tags.`k` = 'v'");
        await client.GetMetricHistoryAsync(run.RunId, "m");
        await client.UploadArtifactAsync(run.ArtifactUri, "a.txt", () => new MemoryStream("abc"u8.ToArray()));

        // MLflow's default server reads a chunked body as empty; every body must carry Content-Length.
        Assert.Equal(10, _server.Requests.Count);
        Assert.All(_server.Requests, request => Assert.False(request.Chunked, $"{request.Method} {request.Path} was sent chunked"));
        Assert.Equal("abc"u8.ToArray(), _server.Artifacts[$"{experimentId}/{run.RunId}/artifacts/a.txt"]);
    }

    [Fact]
    public async Task A_chunked_body_reads_as_empty_as_on_mlflows_default_server()
    {
        using var http = new HttpClient { BaseAddress = _server.Uri };
        var chunked = new StreamContent(new NonSeekableStream("""{"name":"chunked"}"""u8.ToArray()));
        chunked.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var response = await http.PostAsync("api/2.0/mlflow/experiments/create", chunked);

        Assert.True(Assert.Single(_server.Requests).Chunked);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Missing value for required parameter 'name'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_stand_in_rejects_a_body_that_is_not_json_content()
    {
        using var http = new HttpClient { BaseAddress = _server.Uri };

        var response = await http.PostAsync("api/2.0/mlflow/experiments/create", new StringContent("""{"name":"x"}""", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Content-Type must be one of [application/json]", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_stand_in_rejects_a_batch_over_the_limits()
    {
        using var client = new MlflowRestClient(_server.Uri, FastRetries);
        var run = await client.CreateRunAsync(await client.CreateExperimentAsync("e"), "r", "u", 1, []);
        var metrics = string.Join(',', Enumerable.Range(0, 1001).Select(step => $$"""{"key":"m","value":1,"timestamp":1,"step":{{step}}}"""));
        using var http = new HttpClient { BaseAddress = _server.Uri };

        var response = await http.PostAsync("api/2.0/mlflow/runs/log-batch", new StringContent($$"""{"run_id":"{{run.RunId}}","metrics":[{{metrics}}]}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_refusal_is_reported_once_with_the_servers_reason_and_not_retried()
    {
        using var client = new MlflowRestClient(_server.Uri, FastRetries);
        var run = await client.CreateRunAsync(await client.CreateExperimentAsync("e"), "r", "u", 1, []);
        await client.LogBatchAsync(run.RunId, new LogBatch([], [new Param("lr", "1")], []));
        var before = _server.Requests.Count;

        var refusal = await Assert.ThrowsAsync<MlflowApiException>(() => client.LogBatchAsync(run.RunId, new LogBatch([], [new Param("lr", "2")], [])));

        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", false), (refusal.Status, refusal.ErrorCode, refusal.IsTransient));
        Assert.Contains("Changing param values is not allowed", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(before + 1, _server.Requests.Count);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff()
    {
        using var client = new MlflowRestClient(_server.Uri, FastRetries);
        _server.FailNextWith503 = 2;

        var experimentId = await client.CreateExperimentAsync("after-503s");

        Assert.Equal("1", experimentId);
        Assert.Equal(3, _server.CountOf("/api/2.0/mlflow/experiments/create"));
    }

    [Fact]
    public async Task Credentials_come_from_the_environment_and_never_appear_in_errors()
    {
        const string token = "s3cret-token";
        var options = FastRetries with { Credentials = MlflowCredentials.FromEnvironment(name => name == "MLFLOW_TRACKING_TOKEN" ? token : null) };
        using var client = new MlflowRestClient(_server.Uri, options);
        _server.RequiredAuthorization = $"Bearer {token}";

        await client.CreateExperimentAsync("authorised");
        _server.RequiredAuthorization = "Bearer another";
        var refusal = await Assert.ThrowsAsync<MlflowApiException>(() => client.CreateExperimentAsync("refused"));

        Assert.Equal($"Bearer {token}", _server.Requests.First().Authorization);
        Assert.Equal(HttpStatusCode.Unauthorized, refusal.Status);
        Assert.DoesNotContain(token, refusal.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(token, options.Credentials.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Basic_auth_comes_from_username_and_password()
    {
        var environment = new Dictionary<string, string> { ["MLFLOW_TRACKING_USERNAME"] = "ada", ["MLFLOW_TRACKING_PASSWORD"] = "pw" };
        using var client = new MlflowRestClient(_server.Uri, MlflowClientOptions.FromEnvironment(environment.GetValueOrDefault));

        await client.CreateExperimentAsync("basic");

        Assert.Equal("Basic " + Convert.ToBase64String("ada:pw"u8.ToArray()), _server.Requests.Single().Authorization);
    }

    [Fact]
    public async Task Artifacts_are_uploaded_through_the_artifact_proxy()
    {
        using var client = new MlflowRestClient(_server.Uri, FastRetries);
        byte[] content = [0, 255, 10, 13, 128];

        await client.UploadArtifactAsync("mlflow-artifacts:/1/abc/artifacts", "images/a%step%1.png", () => new MemoryStream(content));

        Assert.Equal(content, _server.Artifacts["1/abc/artifacts/images/a%step%1.png"]);
        Assert.Equal("1/abc/artifacts", MlflowRestClient.ProxiedArtifactRoot("mlflow-artifacts://host:5000/1/abc/artifacts"));
        Assert.Null(MlflowRestClient.ProxiedArtifactRoot("s3://bucket/1/abc/artifacts"));
    }

    /// <summary>A stream of unknown length, which HttpClient sends chunked.</summary>
    private sealed class NonSeekableStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
