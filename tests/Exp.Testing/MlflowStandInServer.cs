using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Exp.Testing;

/// <summary>
/// A STAND-IN for an MLflow tracking server, not MLflow itself (no MLflow server can be
/// installed on the build machines). It serves the documented REST API 2.0 endpoints the
/// client uses, on loopback with Kestrel, and is strict where the real API is: it rejects
/// missing fields, wrong JSON types, log-batch requests over the documented limits
/// (1000 metrics, 100 params, 100 tags, 1000 in all), changed params and unknown runs,
/// answering with MLflow's error JSON. It records every request, and can be made to
/// stall, to drop connections (a server going down), or to require credentials.
/// State survives <see cref="StopAsync"/> and <see cref="StartAsync"/>, like a server restart.
/// </summary>
public sealed partial class MlflowStandInServer : IAsyncDisposable
{
    private readonly Lock _state = new();
    private readonly Dictionary<string, JsonObject> _experiments = new();
    private readonly Dictionary<string, StandInRun> _runs = new();
    private TaskCompletionSource _stallGate = Completed();
    private WebApplication? _app;
    private int _nextExperimentId = 1;
    private int _stalled;

    private MlflowStandInServer(int port) => Port = port;

    public int Port { get; }

    public Uri Uri => new($"http://127.0.0.1:{Port}/");

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public ConcurrentDictionary<string, byte[]> Artifacts { get; } = new();

    /// <summary>The Authorization header every request must carry; null accepts any.</summary>
    public string? RequiredAuthorization { get; set; }

    /// <summary>While true, every connection is dropped, as by a server that went down.</summary>
    public bool Unreachable { get; set; }

    /// <summary>How many requests still get 503 before the server answers normally.</summary>
    public int FailNextWith503;

    /// <summary>Requests being held by <see cref="Stall"/> now.</summary>
    public int StalledRequests => Volatile.Read(ref _stalled);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<MlflowStandInServer> StartNewAsync(int port = 0)
    {
        var server = new MlflowStandInServer(port == 0 ? FreePort() : port);
        await server.StartAsync();
        return server;
    }

    public static MlflowStandInServer NotStarted(int port) => new(port);

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(Uri.AbsoluteUri);
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(HandleAsync);
        await _app.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    /// <summary>Holds every request until <see cref="Release"/>.</summary>
    public void Stall() => _stallGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _stallGate.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        Release();
        await StopAsync();
    }

    // ---- what the server holds ----

    public IReadOnlyList<StandInRun> Runs
    {
        get
        {
            lock (_state)
            {
                return _runs.Values.ToList();
            }
        }
    }

    public StandInRun RunWithTag(string key, string value) => Runs.Single(run => run.Tags.GetValueOrDefault(key) == value);

    public int CountOf(string path) => Requests.Count(request => request.Path == path);

    // ---- request handling ----

    private async Task HandleAsync(HttpContext context)
    {
        if (Unreachable)
        {
            context.Abort();
            return;
        }
        Interlocked.Increment(ref _stalled);
        try
        {
            await _stallGate.Task;
        }
        finally
        {
            Interlocked.Decrement(ref _stalled);
        }

        var path = context.Request.Path.Value ?? "";
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var bytes = buffer.ToArray();
        var body = System.Text.Encoding.UTF8.GetString(bytes);
        Requests.Enqueue(new RecordedRequest(context.Request.Method, path, context.Request.QueryString.Value ?? "", body, context.Request.Headers.Authorization.ToString()));

        if (Interlocked.Decrement(ref FailNextWith503) >= 0)
        {
            await Reply(context, 503, Error("TEMPORARILY_UNAVAILABLE", "stand-in asked to fail"));
            return;
        }
        if (RequiredAuthorization is not null && context.Request.Headers.Authorization != RequiredAuthorization)
        {
            await Reply(context, 401, Error("UNAUTHENTICATED", "You are not authenticated."));
            return;
        }
        try
        {
            var answer = Route(context.Request.Method, path, context.Request.Query, body, bytes);
            await Reply(context, 200, answer);
        }
        catch (StandInError error)
        {
            await Reply(context, error.Status, Error(error.Code, error.Message));
        }
    }

    private JsonObject Route(string method, string path, IQueryCollection query, string body, byte[] bytes)
    {
        if (method == "PUT" && path.StartsWith("/api/2.0/mlflow-artifacts/artifacts/", StringComparison.Ordinal))
        {
            Artifacts[path["/api/2.0/mlflow-artifacts/artifacts/".Length..]] = bytes;
            return [];
        }
        lock (_state)
        {
            return (method, path) switch
            {
                ("GET", "/api/2.0/mlflow/experiments/get-by-name") => GetExperimentByName(query),
                ("POST", "/api/2.0/mlflow/experiments/create") => CreateExperiment(Parse(body)),
                ("POST", "/api/2.0/mlflow/runs/create") => CreateRun(Parse(body)),
                ("POST", "/api/2.0/mlflow/runs/update") => UpdateRun(Parse(body)),
                ("GET", "/api/2.0/mlflow/runs/get") => new JsonObject { ["run"] = Find(query["run_id"].ToString()).ToJson() },
                ("POST", "/api/2.0/mlflow/runs/search") => SearchRuns(Parse(body)),
                ("GET", "/api/2.0/mlflow/metrics/get-history") => MetricHistory(query),
                ("POST", "/api/2.0/mlflow/runs/log-batch") => LogBatch(Parse(body)),
                ("POST", "/api/2.0/mlflow/runs/set-tag") => SetTag(Parse(body)),
                _ => throw new StandInError(404, "ENDPOINT_NOT_FOUND", $"No endpoint {method} {path}."),
            };
        }
    }

    private JsonObject GetExperimentByName(IQueryCollection query)
    {
        var name = query["experiment_name"].ToString();
        if (name.Length == 0)
        {
            throw Invalid("Missing value for required parameter 'experiment_name'.");
        }
        var experiment = _experiments.Values.FirstOrDefault(e => (string?)e["name"] == name)
            ?? throw new StandInError(404, "RESOURCE_DOES_NOT_EXIST", $"Could not find experiment with name '{name}'");
        return new JsonObject { ["experiment"] = experiment.DeepClone() };
    }

    private JsonObject CreateExperiment(JsonElement body)
    {
        var name = RequiredString(body, "name");
        if (_experiments.Values.Any(e => (string?)e["name"] == name))
        {
            throw new StandInError(400, "RESOURCE_ALREADY_EXISTS", $"Experiment '{name}' already exists.");
        }
        var id = (_nextExperimentId++).ToString(CultureInfo.InvariantCulture);
        _experiments[id] = new JsonObject
        {
            ["experiment_id"] = id,
            ["name"] = name,
            ["artifact_location"] = $"mlflow-artifacts:/{id}",
            ["lifecycle_stage"] = "active",
        };
        return new JsonObject { ["experiment_id"] = id };
    }

    private JsonObject CreateRun(JsonElement body)
    {
        var experimentId = RequiredString(body, "experiment_id");
        if (!_experiments.ContainsKey(experimentId))
        {
            throw new StandInError(404, "RESOURCE_DOES_NOT_EXIST", $"No experiment '{experimentId}'.");
        }
        var run = new StandInRun(Guid.NewGuid().ToString("N"), experimentId)
        {
            RunName = OptionalString(body, "run_name") ?? "",
            UserId = OptionalString(body, "user_id") ?? "",
            StartTime = OptionalLong(body, "start_time") ?? 0,
        };
        foreach (var tag in OptionalArray(body, "tags"))
        {
            run.Tags[RequiredString(tag, "key")] = RequiredString(tag, "value");
        }
        if (run.RunName.Length > 0)
        {
            run.Tags["mlflow.runName"] = run.RunName;
        }
        _runs[run.RunId] = run;
        return new JsonObject { ["run"] = run.ToJson() };
    }

    private JsonObject UpdateRun(JsonElement body)
    {
        var run = Find(RequiredString(body, "run_id"));
        var status = OptionalString(body, "status");
        if (status is not null && status is not ("RUNNING" or "SCHEDULED" or "FINISHED" or "FAILED" or "KILLED"))
        {
            throw Invalid($"Invalid value '{status}' for parameter 'status'.");
        }
        run.Status = status ?? run.Status;
        run.EndTime = OptionalLong(body, "end_time") ?? run.EndTime;
        return new JsonObject { ["run_info"] = run.InfoJson() };
    }

    private JsonObject SearchRuns(JsonElement body)
    {
        if (!body.TryGetProperty("experiment_ids", out var ids) || ids.ValueKind != JsonValueKind.Array || ids.EnumerateArray().Any(id => id.ValueKind != JsonValueKind.String))
        {
            throw Invalid("Field 'experiment_ids' must be a list of strings.");
        }
        var maxResults = OptionalLong(body, "max_results") ?? 1000;
        if (maxResults is < 1 or > 50000)
        {
            throw Invalid($"Invalid value for max_results: {maxResults}.");
        }
        var experimentIds = ids.EnumerateArray().Select(id => id.GetString()!).ToHashSet();
        var matches = _runs.Values.Where(run => experimentIds.Contains(run.ExperimentId));
        if (OptionalString(body, "filter") is { Length: > 0 } filter)
        {
            // The stand-in understands only the one filter form the client sends.
            var match = TagFilter().Match(filter);
            if (!match.Success)
            {
                throw Invalid($"The stand-in does not support the filter '{filter}'.");
            }
            matches = matches.Where(run => run.Tags.GetValueOrDefault(match.Groups["key"].Value) == match.Groups["value"].Value);
        }
        return new JsonObject { ["runs"] = new JsonArray(matches.Select(run => (JsonNode)run.ToJson()).ToArray()) };
    }

    private JsonObject MetricHistory(IQueryCollection query)
    {
        var key = query["metric_key"].ToString();
        var values = Find(query["run_id"].ToString()).Metrics.Where(metric => metric.Key == key)
            .Select(metric => (JsonNode)new JsonObject { ["key"] = metric.Key, ["value"] = metric.Value, ["timestamp"] = metric.Timestamp, ["step"] = metric.Step });
        return new JsonObject { ["metrics"] = new JsonArray(values.ToArray()) };
    }

    private JsonObject LogBatch(JsonElement body)
    {
        var run = Find(RequiredString(body, "run_id"));
        var metrics = OptionalArray(body, "metrics").ToList();
        var parameters = OptionalArray(body, "params").ToList();
        var tags = OptionalArray(body, "tags").ToList();
        if (metrics.Count > 1000 || parameters.Count > 100 || tags.Count > 100 || metrics.Count + parameters.Count + tags.Count > 1000)
        {
            throw Invalid($"A batch logging request can contain at most 1000 metrics, 100 params, 100 tags and 1000 in all; got {metrics.Count}, {parameters.Count}, {tags.Count}.");
        }
        var parsedMetrics = metrics.Select(metric => new MetricValue(
            RequiredString(metric, "key"),
            RequiredDouble(metric, "value"),
            OptionalLong(metric, "timestamp") ?? throw Invalid("Missing value for required parameter 'timestamp'."),
            OptionalLong(metric, "step") ?? 0)).ToList();
        var parsedParams = parameters.Select(param => (Key: RequiredString(param, "key"), Value: RequiredString(param, "value"))).ToList();
        if (parsedParams.GroupBy(param => param.Key).Any(group => group.Count() > 1))
        {
            throw Invalid("Duplicate parameter keys have been submitted.");
        }
        foreach (var (key, value) in parsedParams)
        {
            if (run.Params.TryGetValue(key, out var existing) && existing != value)
            {
                throw Invalid($"Changing param values is not allowed. Param with key='{key}' was already logged with value='{existing}'.");
            }
        }
        var parsedTags = tags.Select(tag => (Key: RequiredString(tag, "key"), Value: RequiredString(tag, "value"))).ToList();
        foreach (var (key, value) in parsedParams)
        {
            run.Params[key] = value;
        }
        foreach (var (key, value) in parsedTags)
        {
            run.Tags[key] = value;
        }
        run.Metrics.AddRange(parsedMetrics);
        return [];
    }

    private JsonObject SetTag(JsonElement body)
    {
        var run = Find(RequiredString(body, "run_id"));
        run.Tags[RequiredString(body, "key")] = RequiredString(body, "value");
        return [];
    }

    private StandInRun Find(string runId) =>
        _runs.GetValueOrDefault(runId) ?? throw new StandInError(404, "RESOURCE_DOES_NOT_EXIST", $"Run '{runId}' not found.");

    // ---- strict field reading ----

    private static JsonElement Parse(string body)
    {
        try
        {
            var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement : throw Invalid("The request body must be a JSON object.");
        }
        catch (JsonException)
        {
            throw Invalid("The request body is not valid JSON.");
        }
    }

    private static string RequiredString(JsonElement body, string field) =>
        OptionalString(body, field) ?? throw Invalid($"Missing value for required parameter '{field}'.");

    private static string? OptionalString(JsonElement body, string field) =>
        !body.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw Invalid($"Invalid value {value} for parameter '{field}': expected a string.");

    private static long? OptionalLong(JsonElement body, string field)
    {
        if (!body.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        // Protobuf's JSON mapping allows int64 as a number or as a decimal string.
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }
        if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }
        throw Invalid($"Invalid value {value} for parameter '{field}': expected an int64.");
    }

    private static double RequiredDouble(JsonElement body, string field)
    {
        if (!body.TryGetProperty(field, out var value))
        {
            throw Invalid($"Missing value for required parameter '{field}'.");
        }
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String when value.GetString() is "NaN" => double.NaN,
            JsonValueKind.String when value.GetString() is "Infinity" => double.PositiveInfinity,
            JsonValueKind.String when value.GetString() is "-Infinity" => double.NegativeInfinity,
            _ => throw Invalid($"Invalid value {value} for parameter '{field}': expected a double."),
        };
    }

    private static IEnumerable<JsonElement> OptionalArray(JsonElement body, string field)
    {
        if (!body.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.Object))
        {
            throw Invalid($"Invalid value for parameter '{field}': expected a list of objects.");
        }
        return value.EnumerateArray().ToList();
    }

    private static StandInError Invalid(string message) => new(400, "INVALID_PARAMETER_VALUE", message);

    private static JsonObject Error(string code, string message) => new() { ["error_code"] = code, ["message"] = message };

    private static async Task Reply(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    [GeneratedRegex(@"^tags\.`(?<key>[^`]+)` = '(?<value>[^']*)'$")]
    private static partial Regex TagFilter();

    private sealed class StandInError(int status, string code, string message) : Exception(message)
    {
        public int Status { get; } = status;

        public string Code { get; } = code;
    }
}

public sealed record RecordedRequest(string Method, string Path, string Query, string Body, string Authorization);

public sealed record MetricValue(string Key, double Value, long Timestamp, long Step);

/// <summary>A run as the stand-in holds it.</summary>
public sealed class StandInRun(string runId, string experimentId)
{
    public string RunId { get; } = runId;

    public string ExperimentId { get; } = experimentId;

    public string RunName { get; init; } = "";

    public string UserId { get; init; } = "";

    public long StartTime { get; init; }

    public string Status { get; set; } = "RUNNING";

    public long? EndTime { get; set; }

    public List<MetricValue> Metrics { get; } = [];

    public Dictionary<string, string> Params { get; } = [];

    public Dictionary<string, string> Tags { get; } = [];

    public JsonObject InfoJson() => new()
    {
        ["run_id"] = RunId,
        ["run_uuid"] = RunId,
        ["run_name"] = RunName,
        ["experiment_id"] = ExperimentId,
        ["user_id"] = UserId,
        ["status"] = Status,
        ["start_time"] = StartTime,
        ["end_time"] = EndTime,
        ["artifact_uri"] = $"mlflow-artifacts:/{ExperimentId}/{RunId}/artifacts",
        ["lifecycle_stage"] = "active",
    };

    public JsonObject ToJson() => new()
    {
        ["info"] = InfoJson(),
        ["data"] = new JsonObject
        {
            ["params"] = new JsonArray(Params.Select(p => (JsonNode)new JsonObject { ["key"] = p.Key, ["value"] = p.Value }).ToArray()),
            ["tags"] = new JsonArray(Tags.Select(t => (JsonNode)new JsonObject { ["key"] = t.Key, ["value"] = t.Value }).ToArray()),
        },
    };
}
