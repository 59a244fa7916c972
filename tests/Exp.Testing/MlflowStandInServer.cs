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

    /// <summary>While true, every request is answered 403 PERMISSION_DENIED, as a user without permission gets it.</summary>
    public bool Forbidden { get; set; }

    /// <summary>While true, every connection is dropped, as by a server that went down.</summary>
    public bool Unreachable { get; set; }

    /// <summary>How many requests still get 503 before the server answers normally.</summary>
    public int FailNextWith503;

    /// <summary>
    /// While set, every request gets this answer instead of MLflow's: what a client meets when
    /// something else answers at the address, such as a single-sign-on proxy's login page (200,
    /// text/html) or a server whose handler crashed (Flask's 500 HTML page, see HandleAsync).
    /// </summary>
    public ForeignAnswer? AnswerEveryRequestWith { get; set; }

    /// <summary>
    /// A test control, not MLflow behaviour: when set to N, the server goes down (<see cref="Unreachable"/> becomes true)
    /// on receiving its Nth log-batch request, which is dropped with every request after it. Counted in the request
    /// handler, so a test gets a push cut off at exactly that point, however fast or slow the client is. Fires once:
    /// setting <see cref="Unreachable"/> back to false brings the server back for good.
    /// </summary>
    public int GoDownAtLogBatch { get; set; }

    private int _logBatchesReceived;

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

    /// <summary>The tags of the named experiment, as experiments/create set them.</summary>
    public IReadOnlyDictionary<string, string> ExperimentTags(string name)
    {
        lock (_state)
        {
            var experiment = _experiments.Values.Single(e => (string?)e["name"] == name);
            return experiment["tags"]!.AsArray().ToDictionary(tag => (string)tag!["key"]!, tag => (string)tag!["value"]!);
        }
    }

    public StandInRun RunWithTag(string key, string value) => Runs.Single(run => run.Tags.GetValueOrDefault(key) == value);

    public int CountOf(string path) => Requests.Count(request => request.Path == path);

    // ---- request handling ----

    private async Task HandleAsync(HttpContext context)
    {
        if (Unreachable || GoesDownNow(context.Request.Path))
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
        // MLflow 3.x's default server runs its Flask app inside FastAPI through starlette's WSGI
        // adapter, which hands Flask an empty body for a request sent with
        // Transfer-Encoding: chunked (measured against MLflow 3.6 under uvicorn; curl reproduces
        // it). Only bodies with Content-Length arrive, so a chunked body is read here as empty.
        var chunked = context.Request.ContentLength is null
            && context.Request.Headers.TransferEncoding.ToString().Contains("chunked", StringComparison.OrdinalIgnoreCase);
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var bytes = chunked ? [] : buffer.ToArray();
        var body = System.Text.Encoding.UTF8.GetString(bytes);
        Requests.Enqueue(new RecordedRequest(
            context.Request.Method, path, context.Request.QueryString.Value ?? "", body, context.Request.Headers.Authorization.ToString(), chunked));

        if (AnswerEveryRequestWith is { } foreign)
        {
            context.Response.StatusCode = foreign.Status;
            context.Response.ContentType = foreign.ContentType;
            await context.Response.WriteAsync(foreign.Body);
            return;
        }
        if (Interlocked.Decrement(ref FailNextWith503) >= 0)
        {
            await Reply(context, 503, Error("TEMPORARILY_UNAVAILABLE", "stand-in asked to fail"));
            return;
        }
        // MLflow's basic-auth app (mlflow server --app-name basic-auth) answers 401 to a request
        // without valid credentials, before any handler runs.
        if (RequiredAuthorization is not null && context.Request.Headers.Authorization != RequiredAuthorization)
        {
            await Reply(context, 401, Error("UNAUTHENTICATED", "You are not authenticated."));
            return;
        }
        // The basic-auth app answers 403 to an authenticated user who lacks permission on the
        // experiment or run (mlflow/server/auth: "Permission denied").
        if (Forbidden)
        {
            await Reply(context, 403, Error("PERMISSION_DENIED", "Permission denied"));
            return;
        }
        try
        {
            // handlers._get_request_json: POST and PUT bodies must be application/json
            // (mlflow/server/validation.py _validate_content_type), else 400.
            if (context.Request.Method == "POST" && context.Request.ContentType?.Split(';')[0].Trim() != "application/json")
            {
                throw Invalid($"Bad Request. Content-Type must be one of [application/json]. Got '{context.Request.ContentType}'.");
            }
            var answer = Route(context.Request.Method, path, context.Request.Query, body, bytes);
            await Reply(context, 200, answer);
        }
        catch (StandInError error) when (error.Status == 500)
        {
            // An exception that is not an MlflowException escapes catch_mlflow_exception, and
            // Flask answers with its HTML error page.
            context.Response.StatusCode = 500;
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync("<!doctype html><title>500 Internal Server Error</title><h1>Internal Server Error</h1>");
        }
        catch (StandInError error)
        {
            await Reply(context, error.Status, Error(error.Code, error.Message));
        }
    }

    private bool GoesDownNow(PathString path)
    {
        if (GoDownAtLogBatch == 0 || path != "/api/2.0/mlflow/runs/log-batch"
            || Interlocked.Increment(ref _logBatchesReceived) != GoDownAtLogBatch)
        {
            return false;
        }
        Unreachable = true;
        return true;
    }

    private JsonObject Route(string method, string path, IQueryCollection query, string body, byte[] bytes)
    {
        if (method == "PUT" && path.StartsWith("/api/2.0/mlflow-artifacts/artifacts/", StringComparison.Ordinal))
        {
            // The artifact proxy writes the request stream as it arrives: a chunked upload read
            // as empty (see above) is stored as an empty file, with no error.
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
                ("GET", "/api/2.0/mlflow/runs/get") => new JsonObject { ["run"] = Find(RequiredQuery(query, "run_id")).ToJson() },
                ("POST", "/api/2.0/mlflow/runs/search") => SearchRuns(Parse(body)),
                ("GET", "/api/2.0/mlflow/metrics/get-history") => MetricHistory(query),
                ("POST", "/api/2.0/mlflow/runs/log-batch") => LogBatch(body),
                ("POST", "/api/2.0/mlflow/runs/set-tag") => SetTag(Parse(body)),
                _ => throw new StandInError(404, "ENDPOINT_NOT_FOUND", $"No endpoint {method} {path}."),
            };
        }
    }

    // ---- endpoints: each rule names the handler or validator of MLflow it copies ----

    private JsonObject GetExperimentByName(IQueryCollection query)
    {
        // handlers._get_experiment_by_name: experiment_name is _assert_required; an unknown
        // name is 404 RESOURCE_DOES_NOT_EXIST with this message.
        var name = RequiredQuery(query, "experiment_name");
        var experiment = _experiments.Values.FirstOrDefault(e => (string?)e["name"] == name)
            ?? throw new StandInError(404, "RESOURCE_DOES_NOT_EXIST", $"Could not find experiment with name '{name}'");
        return new JsonObject { ["experiment"] = experiment.DeepClone() };
    }

    private JsonObject CreateExperiment(JsonElement body)
    {
        // handlers._create_experiment: name is [_assert_required, _assert_string]; an empty body
        // (a chunked request) fails here with "Missing value for required parameter 'name'".
        var name = RequiredString(body, "name");
        // utils/validation._validate_experiment_name: at most 500 characters.
        if (name.Length > 500)
        {
            throw Invalid($"Experiment name exceeds the maximum length of 500 characters");
        }
        // The stores refuse a second experiment of the same name: 400 RESOURCE_ALREADY_EXISTS.
        if (_experiments.Values.Any(e => (string?)e["name"] == name))
        {
            throw new StandInError(400, "RESOURCE_ALREADY_EXISTS", $"Experiment(name={name}) already exists.");
        }
        // tags is [_assert_array]; each tag goes through _validate_experiment_tag (the run tag rules).
        var tags = OptionalArray(body, "tags").Select((tag, index) => ValidTag(tag, index)).ToList();
        var id = (_nextExperimentId++).ToString(CultureInfo.InvariantCulture);
        _experiments[id] = new JsonObject
        {
            ["experiment_id"] = id,
            ["name"] = name,
            ["tags"] = new JsonArray(tags.Select(t => (JsonNode)new JsonObject { ["key"] = t.Key, ["value"] = t.Value }).ToArray()),
            // mlflow server with artifact serving (the default since 2.0) gives experiments an
            // mlflow-artifacts: root, which clients upload to through the artifact proxy.
            ["artifact_location"] = $"mlflow-artifacts:/{id}",
            ["lifecycle_stage"] = "active",
        };
        return new JsonObject { ["experiment_id"] = id };
    }

    private JsonObject CreateRun(JsonElement body)
    {
        // handlers._create_run does not require experiment_id (its schema only type-checks it),
        // so an empty body reaches the store with experiment_id '': the SQLAlchemy store fails
        // with a FOREIGN KEY constraint error, answered as 400 (measured against MLflow 3.6).
        var experimentId = OptionalString(body, "experiment_id") ?? "";
        if (experimentId.Length == 0)
        {
            throw new StandInError(400, "BAD_REQUEST", "(sqlite3.IntegrityError) FOREIGN KEY constraint failed [experiment_id '']");
        }
        // SqlAlchemyStore.create_run reads the experiment first: an unknown id is 404.
        if (!_experiments.ContainsKey(experimentId))
        {
            throw new StandInError(404, "RESOURCE_DOES_NOT_EXIST", $"No Experiment with id={experimentId} exists");
        }
        var run = new StandInRun(Guid.NewGuid().ToString("N"), experimentId)
        {
            RunName = OptionalString(body, "run_name") ?? "",
            UserId = OptionalString(body, "user_id") ?? "",
            StartTime = OptionalLong(body, "start_time") ?? 0,
        };
        var tags = OptionalArray(body, "tags").Select((tag, index) => ValidTag(tag, index)).ToList();
        foreach (var (key, value) in tags)
        {
            run.Tags[key] = value;
        }
        // The store sets mlflow.runName from run_name, as a tag the UI reads.
        if (run.RunName.Length > 0)
        {
            run.Tags["mlflow.runName"] = run.RunName;
        }
        _runs[run.RunId] = run;
        return new JsonObject { ["run"] = run.ToJson() };
    }

    private JsonObject UpdateRun(JsonElement body)
    {
        // handlers._update_run: run_id is _assert_required; end_time _assert_intlike; status is
        // the RunStatus enum, so protobuf parsing refuses any other name.
        var run = Find(RequiredString(body, "run_id"));
        var status = OptionalString(body, "status");
        if (status is not null && status is not ("RUNNING" or "SCHEDULED" or "FINISHED" or "FAILED" or "KILLED"))
        {
            throw Invalid($"Invalid value \"{status}\" for parameter 'status' supplied.");
        }
        run.Status = status ?? run.Status;
        run.EndTime = OptionalLong(body, "end_time") ?? run.EndTime;
        return new JsonObject { ["run_info"] = run.InfoJson() };
    }

    private JsonObject SearchRuns(JsonElement body)
    {
        // handlers._search_runs: experiment_ids is _assert_array of strings.
        if (!body.TryGetProperty("experiment_ids", out var ids) || ids.ValueKind != JsonValueKind.Array || ids.EnumerateArray().Any(id => id.ValueKind != JsonValueKind.String))
        {
            throw Invalid("Invalid value for parameter 'experiment_ids' supplied: expected a list of strings.");
        }
        // handlers._search_runs: max_results is _assert_intlike and at most 50000.
        var maxResults = OptionalLong(body, "max_results") ?? 1000;
        if (maxResults > 50000)
        {
            throw Invalid($"Invalid value {maxResults} for parameter 'max_results' supplied.");
        }
        var experimentIds = ids.EnumerateArray().Select(id => id.GetString()!).ToHashSet();
        var matches = _runs.Values.Where(run => experimentIds.Contains(run.ExperimentId));
        if (OptionalString(body, "filter") is { Length: > 0 } filter)
        {
            // Stricter than MLflow's search grammar: the stand-in understands only the one filter
            // form the client sends, and refuses any other rather than guess.
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
        // handlers._get_metric_history: run_id and metric_key are _assert_required.
        var run = Find(RequiredQuery(query, "run_id"));
        var key = RequiredQuery(query, "metric_key");
        var values = run.Metrics.Where(metric => metric.Key == key)
            .Select(metric => (JsonNode)new JsonObject { ["key"] = metric.Key, ["value"] = metric.Value, ["timestamp"] = metric.Timestamp, ["step"] = metric.Step });
        return new JsonObject { ["metrics"] = new JsonArray(values.ToArray()) };
    }

    private JsonObject LogBatch(string text)
    {
        // handlers._log_batch calls _validate_batch_log_api_req(_get_request_json()) first: on an
        // empty body get_json gives None, len(None) raises TypeError, which is no
        // MlflowException, so the request ends as a 500 HTML page.
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new StandInError(500, "INTERNAL_ERROR", "TypeError: object of type 'NoneType' has no len()");
        }
        var body = Parse(text);
        // Schema: run_id [_assert_string, _assert_required]; metrics, params, tags _assert_array.
        var run = Find(RequiredString(body, "run_id"));
        var metrics = OptionalArray(body, "metrics").ToList();
        var parameters = OptionalArray(body, "params").ToList();
        var tags = OptionalArray(body, "tags").ToList();
        // utils/validation._validate_batch_log_limits: 1000 metrics, 100 params, 100 tags, 1000 in all.
        Limit("metrics", 1000, metrics.Count);
        Limit("params", 100, parameters.Count);
        Limit("tags", 100, tags.Count);
        Limit("metrics, params, and tags", 1000, metrics.Count + parameters.Count + tags.Count);
        // _assert_metrics_fields_present: key, value and timestamp of every metric are required;
        // utils/validation._validate_metric: a valid name of at most 250 characters, a numeric
        // value (protobuf's JSON allows "NaN" and "Infinity"), a nonnegative timestamp.
        var parsedMetrics = metrics.Select((metric, index) =>
        {
            var key = RequiredString(metric, "key", $"metrics[{index}].key");
            ValidName(key, $"metrics[{index}].name", "Metric name");
            var timestamp = OptionalLong(metric, "timestamp") ?? throw Invalid($"Missing value for required parameter 'metrics[{index}].timestamp'.");
            if (timestamp < 0)
            {
                throw Invalid($"Invalid value {timestamp} for parameter 'metrics[{index}].timestamp' supplied: Timestamp must be a nonnegative long (64-bit integer) ");
            }
            return new MetricValue(key, RequiredDouble(metric, "value", $"metrics[{index}].value"), timestamp, OptionalLong(metric, "step") ?? 0);
        }).ToList();
        // _validate_param: a valid key of at most 250 characters, a value of at most 6000
        // (MAX_PARAM_VAL_LENGTH; refused unless the server sets MLFLOW_TRUNCATE_LONG_VALUES).
        var parsedParams = parameters.Select((param, index) =>
        {
            var key = RequiredString(param, "key", $"params[{index}].key");
            ValidName(key, $"params[{index}].key", "Param key");
            var value = OptionalString(param, "value") ?? "";
            if (value.Length > 6000)
            {
                throw Invalid("'Param value' exceeds the maximum length of 6000 characters");
            }
            return (Key: key, Value: value);
        }).ToList();
        // _validate_param_keys_unique: one value per key in a request.
        if (parsedParams.GroupBy(param => param.Key).Where(group => group.Count() > 1).Select(group => group.Key).ToList() is { Count: > 0 } duplicates)
        {
            throw Invalid($"Duplicate parameter keys have been submitted: [{string.Join(", ", duplicates.Select(key => $"'{key}'"))}]. Please ensure the request contains only one param value per param key.");
        }
        // The stores refuse to change a logged param; logging the same value again is allowed.
        foreach (var (key, value) in parsedParams)
        {
            if (run.Params.TryGetValue(key, out var existing) && existing != value)
            {
                throw Invalid($"Changing param values is not allowed. Param with key='{key}' was already logged with value='{existing}' for run ID='{run.RunId}'. Attempted logging new value '{value}'.");
            }
        }
        var parsedTags = tags.Select((tag, index) => ValidTag(tag, index)).ToList();
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
        // handlers._set_tag: run_id and key are _assert_required, value _assert_string;
        // _validate_tag checks the name and the 8000-character value limit.
        var run = Find(RequiredString(body, "run_id"));
        var key = RequiredString(body, "key");
        var (validKey, value) = ValidTag(key, OptionalString(body, "value") ?? "", "key", "value");
        run.Tags[validKey] = value;
        return [];
    }

    /// <summary>The stores answer an unknown run id with 404 RESOURCE_DOES_NOT_EXIST.</summary>
    private StandInRun Find(string runId) =>
        _runs.GetValueOrDefault(runId) ?? throw new StandInError(404, "RESOURCE_DOES_NOT_EXIST", $"Run with id={runId} not found");

    private static (string Key, string Value) ValidTag(JsonElement tag, int index) =>
        ValidTag(RequiredString(tag, "key", $"tags[{index}].key"), OptionalString(tag, "value") ?? "", $"tags[{index}].key", $"tags[{index}].value");

    /// <summary>utils/validation._validate_tag: a valid name of at most 250 characters, a value of at most 8000 (MAX_TAG_VAL_LENGTH).</summary>
    private static (string Key, string Value) ValidTag(string key, string value, string keyPath, string valuePath)
    {
        ValidName(key, keyPath, keyPath);
        if (value.Length > 8000)
        {
            throw Invalid($"'{valuePath}' exceeds the maximum length of 8000 characters");
        }
        return (key, value);
    }

    /// <summary>
    /// utils/validation.validate_param_and_metric_name and path_not_unique: names of params,
    /// metrics and tags may hold only alphanumerics, _ - . space : and /, must not change
    /// under posixpath.normpath (no '..', '//', leading '/'), and have at most 250 characters.
    /// </summary>
    private static void ValidName(string name, string path, string entity)
    {
        if (!NameCharacters().IsMatch(name))
        {
            throw Invalid($"Invalid value \"{name}\" for parameter '{path}' supplied: Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).");
        }
        var segments = name.Split('/');
        if (name.Length == 0 || name.StartsWith('/') || name.EndsWith('/') || segments.Any(segment => segment is "" or "." or ".."))
        {
            throw Invalid($"Invalid value \"{name}\" for parameter '{path}' supplied: Names may be treated as files in certain cases, and must not resolve to other names when treated as such.");
        }
        if (name.Length > 250)
        {
            throw Invalid($"'{entity}' exceeds the maximum length of 250 characters");
        }
    }

    /// <summary>utils/validation._validate_batch_limit.</summary>
    private static void Limit(string entities, int limit, int count)
    {
        if (count > limit)
        {
            throw Invalid($"A batch logging request can contain at most {limit} {entities}. Got {count} {entities}. Please split up {entities} across multiple requests and try again.");
        }
    }

    // ---- strict field reading ----

    /// <summary>
    /// handlers._get_request_json reads the body with get_json(force=True, silent=True): a
    /// body that is empty or not JSON becomes {} (so every required field is then missing),
    /// never a parse error of its own.
    /// </summary>
    private static JsonElement Parse(string body)
    {
        try
        {
            var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document.RootElement;
            }
        }
        catch (JsonException)
        {
            // As get_json(silent=True): unreadable JSON is no body at all.
        }
        return JsonDocument.Parse("{}").RootElement;
    }

    /// <summary>Query parameters of GET requests go through the same _assert_required.</summary>
    private static string RequiredQuery(IQueryCollection query, string field) =>
        query[field].ToString() is { Length: > 0 } value ? value : throw Missing(field);

    /// <summary>
    /// _assert_required: absent, null and "" are all missing (protobuf's JSON parsing turns an
    /// absent string into ""), with _validate_param_against_schema's message.
    /// </summary>
    private static string RequiredString(JsonElement body, string field, string? path = null) =>
        OptionalString(body, field) is { Length: > 0 } value ? value : throw Missing(path ?? field);

    private static StandInError Missing(string path) =>
        Invalid($"Missing value for required parameter '{path}'. See the API docs for more information about request parameters.");

    /// <summary>_assert_string: a string field given another JSON type fails protobuf parsing and then the type check.</summary>
    private static string? OptionalString(JsonElement body, string field) =>
        !body.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw Invalid($"Invalid value {value} for parameter '{field}' supplied: Hint: Value was of type '{value.ValueKind}', expected a string.");

    private static long? OptionalLong(JsonElement body, string field)
    {
        if (!body.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        // _assert_intlike and protobuf's JSON mapping: int64 as a number or as a decimal string.
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }
        if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }
        throw Invalid($"Invalid value {value} for parameter '{field}' supplied: expected an int64.");
    }

    /// <summary>_validate_metric: the value is required and numeric; protobuf's JSON names NaN and the infinities as strings.</summary>
    private static double RequiredDouble(JsonElement body, string field, string path)
    {
        if (!body.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw Missing(path);
        }
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String when value.GetString() is "NaN" => double.NaN,
            JsonValueKind.String when value.GetString() is "Infinity" => double.PositiveInfinity,
            JsonValueKind.String when value.GetString() is "-Infinity" => double.NegativeInfinity,
            _ => throw Invalid($"Invalid value {value} for parameter '{path}' supplied: Please specify value as a valid double (64-bit floating point)"),
        };
    }

    /// <summary>_assert_array: a list field must be a list (of objects, for metrics, params and tags).</summary>
    private static IEnumerable<JsonElement> OptionalArray(JsonElement body, string field)
    {
        if (!body.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.Object))
        {
            throw Invalid($"Invalid value {value} for parameter '{field}' supplied: Hint: Value was of type '{value.ValueKind}', expected a list of objects.");
        }
        return value.EnumerateArray().ToList();
    }

    private static StandInError Invalid(string message) => new(400, "INVALID_PARAMETER_VALUE", message);

    private static JsonObject Error(string code, string message) => new() { ["error_code"] = code, ["message"] = message };

    private static async Task Reply(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        // Flask writes ' and other characters plainly, not as \u0027.
        await context.Response.WriteAsync(body.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    [GeneratedRegex(@"^tags\.`(?<key>[^`]+)` = '(?<value>[^']*)'$")]
    private static partial Regex TagFilter();

    /// <summary>validate_param_and_metric_name on Linux: ^[/\w.\- :]*$ (Python's \w is Unicode-aware, as .NET's).</summary>
    [GeneratedRegex(@"^[/\w.\- :]*$")]
    private static partial Regex NameCharacters();

    private sealed class StandInError(int status, string code, string message) : Exception(message)
    {
        public int Status { get; } = status;

        public string Code { get; } = code;
    }
}

/// <param name="Chunked">Sent with Transfer-Encoding: chunked and no Content-Length, so the body was read as empty.</param>
/// <summary>An answer that is not MLflow's: status, content type and body.</summary>
public sealed record ForeignAnswer(int Status, string ContentType, string Body);

public sealed record RecordedRequest(string Method, string Path, string Query, string Body, string Authorization, bool Chunked);

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
