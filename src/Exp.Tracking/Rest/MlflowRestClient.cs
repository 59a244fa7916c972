using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Exp.Tracking.Model;
using Polly;
using Polly.Retry;

namespace Exp.Tracking.Rest;

/// <summary>
/// A typed client of MLflow's REST API 2.0 (https://mlflow.org/docs/latest/rest-api.html):
/// the experiment, run, log-batch and set-tag endpoints, and artifact upload through the
/// tracking server's artifact proxy (mlflow-artifacts). Transient failures (connection
/// refused, timeouts, 5xx, 429) are retried with exponential backoff; any other error
/// answer throws <see cref="MlflowApiException"/> at once.
/// </summary>
public sealed class MlflowRestClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly MlflowCredentials _credentials;
    private readonly ResiliencePipeline _retry;

    public MlflowRestClient(Uri serverUri, MlflowClientOptions options)
    {
        ServerUri = WithoutUserInfo(serverUri);
        var handler = new SocketsHttpHandler();
        if (options.InsecureTls)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        _http = new HttpClient(handler) { BaseAddress = ServerUri, Timeout = options.RequestTimeout };
        _credentials = options.Credentials;
        _retry = options.MaxRetries == 0 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = arguments => ValueTask.FromResult(
                    arguments.Outcome.Exception is { } failure
                    && !arguments.Context.CancellationToken.IsCancellationRequested
                    && IsTransient(failure)),
            })
            .Build();
    }

    /// <summary>The server's address, with any user:password part removed so that it can be shown.</summary>
    public Uri ServerUri { get; }

    /// <summary>Whether a failure may pass if the request is sent again later.</summary>
    public static bool IsTransient(Exception failure) => failure switch
    {
        MlflowApiException api => api.IsTransient,
        HttpRequestException http => http.StatusCode is null || (int)http.StatusCode >= 500 || http.StatusCode == HttpStatusCode.TooManyRequests,
        TaskCanceledException or TimeoutException => true,
        _ => false,
    };

    public async Task<ExperimentInfo?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await SendAsync<ExperimentResponse>(
                "experiments/get-by-name", HttpMethod.Get, $"api/2.0/mlflow/experiments/get-by-name?experiment_name={Uri.EscapeDataString(name)}", null, cancellationToken);
            return response.Experiment;
        }
        catch (MlflowApiException missing) when (missing.ErrorCode == "RESOURCE_DOES_NOT_EXIST")
        {
            return null;
        }
    }

    /// <param name="tags">Experiment tags, set in the same request (experiments/create takes them).</param>
    public async Task<string> CreateExperimentAsync(string name, IReadOnlyList<RunTag>? tags = null, CancellationToken cancellationToken = default) =>
        (await SendAsync<CreateExperimentResponse>("experiments/create", HttpMethod.Post, "api/2.0/mlflow/experiments/create", new { name, tags = tags ?? [] }, cancellationToken)).ExperimentId;

    /// <summary>
    /// The id of the named experiment, created (with <paramref name="tags"/>) if missing; safe
    /// against another client creating it meanwhile. An existing experiment's tags are left as
    /// its users set them.
    /// </summary>
    public async Task<string> GetOrCreateExperimentAsync(string name, IReadOnlyList<RunTag>? tags = null, CancellationToken cancellationToken = default)
    {
        if (await GetExperimentByNameAsync(name, cancellationToken) is { } existing)
        {
            return existing.ExperimentId;
        }
        try
        {
            return await CreateExperimentAsync(name, tags, cancellationToken);
        }
        catch (MlflowApiException exists) when (exists.ErrorCode == "RESOURCE_ALREADY_EXISTS")
        {
            // The name is taken by an experiment get-by-name does not return: a deleted one.
            return (await GetExperimentByNameAsync(name, cancellationToken))?.ExperimentId
                ?? throw new InvalidOperationException(
                    $"Experiment '{name}' exists on {ServerUri} in the deleted state; restore it there or use another name. ({exists.Message})");
        }
    }

    public async Task<RunInfo> CreateRunAsync(
        string experimentId, string runName, string userId, long startTime, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken = default)
    {
        var body = new { experiment_id = experimentId, run_name = runName, user_id = userId, start_time = startTime, tags };
        return (await SendAsync<RunResponse>("runs/create", HttpMethod.Post, "api/2.0/mlflow/runs/create", body, cancellationToken)).Run.Info;
    }

    public async Task<RunInfo> UpdateRunAsync(string runId, RunStatus status, long? endTime, CancellationToken cancellationToken = default)
    {
        var body = new { run_id = runId, status, end_time = endTime };
        return (await SendAsync<UpdateRunResponse>("runs/update", HttpMethod.Post, "api/2.0/mlflow/runs/update", body, cancellationToken)).RunInfo;
    }

    public async Task<MlflowRun> GetRunAsync(string runId, CancellationToken cancellationToken = default) =>
        (await SendAsync<RunResponse>("runs/get", HttpMethod.Get, $"api/2.0/mlflow/runs/get?run_id={Uri.EscapeDataString(runId)}", null, cancellationToken)).Run;

    /// <summary>All runs of the experiments that match <paramref name="filter"/> (MLflow's search syntax), every page read.</summary>
    public async Task<IReadOnlyList<MlflowRun>> SearchRunsAsync(IReadOnlyList<string> experimentIds, string? filter, CancellationToken cancellationToken = default)
    {
        var runs = new List<MlflowRun>();
        string? pageToken = null;
        do
        {
            var body = new { experiment_ids = experimentIds, filter, max_results = 1000, page_token = pageToken };
            var page = await SendAsync<SearchRunsResponse>("runs/search", HttpMethod.Post, "api/2.0/mlflow/runs/search", body, cancellationToken);
            runs.AddRange(page.Runs ?? []);
            pageToken = string.IsNullOrEmpty(page.NextPageToken) ? null : page.NextPageToken;
        }
        while (pageToken is not null);
        return runs;
    }

    /// <summary>Every logged value of one metric of a run (metrics/get-history), every page read.</summary>
    public async Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken = default)
    {
        var values = new List<Metric>();
        string? pageToken = null;
        do
        {
            var query = $"run_id={Uri.EscapeDataString(runId)}&metric_key={Uri.EscapeDataString(key)}&max_results=25000"
                + (pageToken is null ? "" : $"&page_token={Uri.EscapeDataString(pageToken)}");
            var page = await SendAsync<MetricHistoryResponse>("metrics/get-history", HttpMethod.Get, $"api/2.0/mlflow/metrics/get-history?{query}", null, cancellationToken);
            values.AddRange(page.Metrics ?? []);
            pageToken = string.IsNullOrEmpty(page.NextPageToken) ? null : page.NextPageToken;
        }
        while (pageToken is not null);
        return values;
    }

    /// <summary>
    /// Sends a batch in as many log-batch requests as MLflow's limits need; after each
    /// request succeeds, <paramref name="sent"/> hears what it held (so a caller can record progress).
    /// </summary>
    public async Task LogBatchAsync(string runId, LogBatch batch, Action<LogBatch>? sent = null, CancellationToken cancellationToken = default)
    {
        foreach (var part in batch.Split())
        {
            var body = new { run_id = runId, metrics = part.Metrics, @params = part.Params, tags = part.Tags };
            await SendAsync<JsonElement>("runs/log-batch", HttpMethod.Post, "api/2.0/mlflow/runs/log-batch", body, cancellationToken);
            sent?.Invoke(part);
        }
    }

    public async Task SetTagAsync(string runId, string key, string value, CancellationToken cancellationToken = default) =>
        await SendAsync<JsonElement>("runs/set-tag", HttpMethod.Post, "api/2.0/mlflow/runs/set-tag", new { run_id = runId, key, value }, cancellationToken);

    /// <summary>
    /// Uploads one artifact of a run whose artifact root is served by the tracking server's
    /// proxy (<c>mlflow-artifacts:/...</c>), with <c>PUT /api/2.0/mlflow-artifacts/artifacts/&lt;path&gt;</c>.
    /// </summary>
    public async Task UploadArtifactAsync(string runArtifactUri, string artifactPath, Func<Stream> openContent, CancellationToken cancellationToken = default)
    {
        var root = ProxiedArtifactRoot(runArtifactUri)
            ?? throw new NotSupportedException(
                $"The server keeps this run's artifacts at '{runArtifactUri}', which it does not proxy; start the server with artifact serving (mlflow-artifacts) to receive artifacts.");
        var path = string.Join('/', $"{root}/{artifactPath}".Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.EscapeDataString));
        await _retry.ExecuteAsync(
            async token =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Put, $"api/2.0/mlflow-artifacts/artifacts/{path}");
                _credentials.Apply(request);
                await using var content = openContent();
                // A stream of unknown length would go out chunked, and arrive empty (see JsonBody).
                request.Content = new StreamContent(content);
                request.Content.Headers.ContentLength = content.Length;
                using var response = await _http.SendAsync(request, token);
                await ThrowIfFailedAsync("mlflow-artifacts upload", response, token);
            },
            cancellationToken);
    }

    /// <summary>The path under the proxy's root for a <c>mlflow-artifacts:</c> URI, or null for any other scheme.</summary>
    public static string? ProxiedArtifactRoot(string artifactUri)
    {
        if (!artifactUri.StartsWith("mlflow-artifacts:", StringComparison.Ordinal))
        {
            return null;
        }
        var rest = artifactUri["mlflow-artifacts:".Length..];
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            // mlflow-artifacts://host:port/path names the server; the path is what follows it.
            var slash = rest.IndexOf('/', 2);
            rest = slash < 0 ? "" : rest[slash..];
        }
        return rest.Trim('/');
    }

    public void Dispose() => _http.Dispose();

    private async Task<TResponse> SendAsync<TResponse>(string operation, HttpMethod method, string path, object? body, CancellationToken cancellationToken) =>
        await _retry.ExecuteAsync(
            async token =>
            {
                using var request = new HttpRequestMessage(method, path);
                _credentials.Apply(request);
                if (body is not null)
                {
                    request.Content = JsonBody(body);
                }
                using var response = await _http.SendAsync(request, token);
                await ThrowIfFailedAsync(operation, response, token);
                return await ReadAnswerAsync<TResponse>(operation, response, token);
            },
            cancellationToken);

    /// <summary>The answer as MLflow's JSON; anything else (HTML, a cut-off body, JSON null) is <see cref="MlflowResponseException"/>.</summary>
    private async Task<TResponse> ReadAnswerAsync<TResponse>(string operation, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            if (JsonSerializer.Deserialize<TResponse>(body, MlflowJson.Options) is { } answer)
            {
                return answer;
            }
        }
        catch (JsonException)
        {
            // Reported below with the body, like JSON null.
        }
        throw new MlflowResponseException(operation, response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, ServerUri);
    }

    /// <summary>
    /// What a failed request says about the server, in the words a user reads in an account:
    /// it answered with an error status (and what), it answered something that is not MLflow,
    /// or no answer came at all. Only the last is "unreachable".
    /// </summary>
    public static string Describe(Exception failure) => failure switch
    {
        MlflowApiException { IsTransient: true } api =>
            $"the server answered HTTP {(int)api.Status} {ReasonPhrase(api.Status)} to {api.Operation} ({api.Message})",
        MlflowApiException refused => $"the server refused it ({refused.Message})",
        MlflowResponseException wrong => wrong.Message,
        HttpRequestException { StatusCode: { } status } http =>
            $"the server answered HTTP {(int)status} {ReasonPhrase(status)} ({http.Message})",
        _ => $"the server was unreachable ({failure.Message})",
    };

    /// <summary>"Internal Server Error" for 500: the words HTTP gives a status.</summary>
    private static string ReasonPhrase(HttpStatusCode status)
    {
        using var answer = new HttpResponseMessage(status);
        return answer.ReasonPhrase ?? "";
    }

    /// <summary>
    /// The body serialized up front and sent with Content-Length. MLflow 3.x's default server
    /// (Flask inside FastAPI through starlette's WSGI adapter) reads a body sent with
    /// Transfer-Encoding: chunked as empty, which <c>JsonContent</c> streaming would send.
    /// </summary>
    private static ByteArrayContent JsonBody(object body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, MlflowJson.Options));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    private static async Task ThrowIfFailedAsync(string operation, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        // Not MLflow's error JSON (a proxy's HTML page, say): the start of the body, on one line, is the message.
        var (errorCode, message) = ("", $"not MLflow's error JSON ({response.Content.Headers.ContentType?.MediaType ?? "no content type"}: {MlflowResponseException.Excerpt(text)})");
        try
        {
            using var error = JsonDocument.Parse(text);
            if (error.RootElement.ValueKind == JsonValueKind.Object)
            {
                errorCode = error.RootElement.TryGetProperty("error_code", out var code) && code.ValueKind == JsonValueKind.String ? code.GetString()! : "";
                message = error.RootElement.TryGetProperty("message", out var said) && said.ValueKind == JsonValueKind.String
                    ? PrintableText.Of(said.GetString()!, 500)
                    : message;
            }
        }
        catch (JsonException)
        {
            // The message above stands.
        }
        throw new MlflowApiException(operation, response.StatusCode, errorCode, message);
    }

    private static Uri WithoutUserInfo(Uri uri)
    {
        var builder = new UriBuilder(uri) { UserName = "", Password = "" };
        if (!builder.Path.EndsWith('/'))
        {
            builder.Path += "/";
        }
        return builder.Uri;
    }

    private sealed record ExperimentResponse(ExperimentInfo? Experiment);

    private sealed record CreateExperimentResponse(string ExperimentId);

    private sealed record RunResponse(MlflowRun Run);

    private sealed record UpdateRunResponse(RunInfo RunInfo);

    private sealed record MetricHistoryResponse(IReadOnlyList<Metric>? Metrics, string? NextPageToken);

    private sealed record SearchRunsResponse(IReadOnlyList<MlflowRun>? Runs, string? NextPageToken);
}
