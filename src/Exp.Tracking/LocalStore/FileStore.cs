using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Exp.Tracking.Model;
using Exp.Tracking.Recording;

namespace Exp.Tracking.LocalStore;

/// <summary>
/// A folder in the layout of MLflow's file store (mlflow/store/tracking/file_store.py):
/// <c>&lt;root&gt;/&lt;experiment_id&gt;/meta.yaml</c>, <c>&lt;root&gt;/0</c> the default experiment,
/// <c>&lt;root&gt;/&lt;experiment_id&gt;/&lt;run_id&gt;/{meta.yaml, metrics/, params/, tags/, artifacts/}</c>.
/// Keys with '/' become sub-folders, as in MLflow. Several processes may use one store at
/// once, each writing its own runs; experiment creation is serialised by a lock file so two
/// processes never create two experiments of one name. Writes of one run must come from
/// one thread at a time (the run recorder guarantees that).
/// </summary>
public sealed class FileStore
{
    public const string DefaultExperimentId = "0";
    public const string DefaultExperimentName = "Default";
    private const string MetaFile = MetaYaml.FileName;
    private const string TrashFolder = ".trash";
    private const string ExperimentLockFile = ".exp-experiments.lock";
    private const string WriterLockFile = ".exp-writer.lock";
    private const int LocalSourceType = 4; // SourceType.LOCAL in mlflow/entities/source_type.py
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, string> _runDirectories = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DamagedRunException> _damage = new(StringComparer.Ordinal);

    public FileStore(string rootDirectory, TimeProvider? clock = null)
        : this(rootDirectory, clock ?? TimeProvider.System, readOnly: false)
    {
    }

    private FileStore(string rootDirectory, TimeProvider clock, bool readOnly)
    {
        RootDirectory = Path.GetFullPath(rootDirectory);
        _clock = clock;
        if (readOnly)
        {
            return;
        }
        if (!File.Exists(Path.Combine(RootDirectory, DefaultExperimentId, MetaFile)))
        {
            using var _ = FileLock.Acquire(Path.Combine(RootDirectory, ExperimentLockFile), LockTimeout);
            if (!File.Exists(Path.Combine(RootDirectory, DefaultExperimentId, MetaFile)))
            {
                WriteNewExperiment(DefaultExperimentId, DefaultExperimentName);
            }
        }
        Directory.CreateDirectory(Path.Combine(RootDirectory, TrashFolder));
    }

    /// <summary>
    /// An existing store, opened only to be read: unlike the constructor, it creates nothing
    /// (no default experiment, no trash folder), so readers such as `exp ui` never change a store.
    /// </summary>
    public static FileStore OpenForReading(string rootDirectory) =>
        Directory.Exists(rootDirectory)
            ? new FileStore(rootDirectory, TimeProvider.System, readOnly: true)
            : throw new DirectoryNotFoundException($"No runs folder at {Path.GetFullPath(rootDirectory)}.");

    public string RootDirectory { get; }

    public long Now() => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The damaged files met so far, one per file, for the warnings of the command.</summary>
    public IReadOnlyList<DamagedRunException> Damage => _damage.Values.OrderBy(damage => damage.File, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Reads something of one run; if a file of the run is damaged, notes it (once per file)
    /// and returns false, so a reader of many runs skips that run and goes on. A run deleted
    /// while it is read (`rm -r` of a run during `exp ls`) is skipped as well: it is gone, not
    /// damaged, so nothing is noted.
    /// </summary>
    public bool TryReadRun<T>(Func<T> read, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out T value)
    {
        try
        {
            value = read();
            return true;
        }
        catch (DamagedRunException damage)
        {
            NoteDamage(damage);
            value = default;
            return false;
        }
        catch (Exception gone) when (gone is KeyNotFoundException or FileNotFoundException or DirectoryNotFoundException)
        {
            value = default;
            return false;
        }
    }

    /// <summary>Reads every param, tag and metric value of a run, throwing <see cref="DamagedRunException"/> if a file is damaged.</summary>
    public void ReadWholeRun(string runId)
    {
        GetRun(runId);
        GetParams(runId);
        GetTags(runId);
        foreach (var key in GetMetricKeys(runId))
        {
            GetMetricHistory(runId, key);
        }
    }

    /// <summary>Notes a damaged file met while reading a run, for the command's warnings.</summary>
    public void NoteDamage(DamagedRunException damage) => _damage.TryAdd(damage.File, damage);

    // ---- experiments ----

    public IReadOnlyList<ExperimentInfo> ListExperiments() =>
        Directory.EnumerateDirectories(RootDirectory)
            .Where(directory => !Path.GetFileName(directory).StartsWith('.'))
            .Select(directory => Path.Combine(directory, MetaFile))
            .Where(File.Exists)
            // An experiment deleted between the listing and the read is gone, like one never listed.
            .Select(meta => TryReadRun(() => ReadExperiment(meta), out var experiment) ? experiment : null)
            .OfType<ExperimentInfo>()
            .Where(experiment => experiment.LifecycleStage == LifecycleStage.Active)
            .OrderBy(experiment => experiment.CreationTime)
            .ToList();

    public ExperimentInfo? GetExperimentByName(string name) =>
        ListExperiments().FirstOrDefault(experiment => experiment.Name == name);

    public ExperimentInfo GetExperiment(string experimentId)
    {
        ValidateId("experiment", experimentId);
        var meta = Path.Combine(RootDirectory, experimentId, MetaFile);
        return File.Exists(meta) ? ReadExperiment(meta) : throw new KeyNotFoundException($"Experiment '{experimentId}' does not exist in {RootDirectory}.");
    }

    /// <summary>The experiment of that name, created (with an MLflow-style numeric id) if it does not exist yet.</summary>
    public ExperimentInfo GetOrCreateExperiment(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 500)
        {
            throw new ArgumentException($"Invalid experiment name: '{name}'. It must be 1 to 500 characters.");
        }
        if (GetExperimentByName(name) is { } existing)
        {
            return existing;
        }
        using var _ = FileLock.Acquire(Path.Combine(RootDirectory, ExperimentLockFile), LockTimeout);
        if (GetExperimentByName(name) is { } createdMeanwhile)
        {
            return createdMeanwhile;
        }
        string id;
        do
        {
            id = NewExperimentId();
        }
        while (Directory.Exists(Path.Combine(RootDirectory, id)));
        return WriteNewExperiment(id, name);
    }

    private ExperimentInfo WriteNewExperiment(string id, string name)
    {
        var directory = Path.Combine(RootDirectory, id);
        Directory.CreateDirectory(directory);
        var now = Now();
        var experiment = new ExperimentInfo(id, name, new Uri(directory).AbsoluteUri, LifecycleStage.Active, now, now);
        MetaYaml.Write(directory, new Dictionary<string, object?>
        {
            ["artifact_location"] = experiment.ArtifactLocation,
            ["creation_time"] = experiment.CreationTime,
            ["experiment_id"] = experiment.ExperimentId,
            ["last_update_time"] = experiment.LastUpdateTime,
            ["lifecycle_stage"] = experiment.LifecycleStage,
            ["name"] = experiment.Name,
        });
        return experiment;
    }

    /// <summary>Sets tags on an experiment where MLflow's file store keeps them: a file per key under the experiment's tags/ folder.</summary>
    public void SetExperimentTags(string experimentId, IEnumerable<RunTag> tags)
    {
        var directory = Path.Combine(RootDirectory, GetExperiment(experimentId).ExperimentId);
        foreach (var tag in tags)
        {
            TrackingKeys.ValidateTag(tag.Key, tag.Value);
            AtomicFile.WriteAllText(KeyPath(Path.Combine(directory, "tags"), tag.Key), tag.Value, directory);
        }
    }

    public IReadOnlyDictionary<string, string> GetExperimentTags(string experimentId) =>
        ReadKeyFiles(Path.Combine(RootDirectory, GetExperiment(experimentId).ExperimentId, "tags"));

    /// <summary>An 18-digit id without a leading zero, like MLflow's _generate_unique_integer_id.</summary>
    private static string NewExperimentId() =>
        Random.Shared.NextInt64(100_000_000_000_000_000, 1_000_000_000_000_000_000).ToString(CultureInfo.InvariantCulture);

    private static ExperimentInfo ReadExperiment(string metaPath)
    {
        var meta = MetaYaml.Read(metaPath);
        return new ExperimentInfo(
            Required(meta, "experiment_id", metaPath),
            Required(meta, "name", metaPath),
            meta.GetValueOrDefault("artifact_location") ?? "",
            meta.GetValueOrDefault("lifecycle_stage") ?? LifecycleStage.Active,
            OptionalLong(meta, "creation_time") ?? 0,
            OptionalLong(meta, "last_update_time") ?? 0);
    }

    // ---- runs ----

    public RunInfo CreateRun(string experimentId, RunStart start)
    {
        var experiment = GetExperiment(experimentId);
        var tags = new List<RunTag> { new(MlflowTags.RunName, start.RunName) };
        if (start.ParentRunId is { } parent)
        {
            tags.Add(new RunTag(MlflowTags.ParentRunId, parent));
        }
        tags.AddRange(start.Tags.Where(tag => tag.Key is not (MlflowTags.RunName or MlflowTags.ParentRunId)));
        foreach (var tag in tags)
        {
            TrackingKeys.ValidateTag(tag.Key, tag.Value);
        }

        var runId = Guid.NewGuid().ToString("N");
        var runDirectory = Path.Combine(RootDirectory, experiment.ExperimentId, runId);
        Directory.CreateDirectory(runDirectory);
        var run = new RunInfo(
            runId,
            experimentId,
            start.RunName,
            start.UserId,
            RunStatus.Running,
            start.StartTime ?? Now(),
            null,
            new Uri(ArtifactDirectoryOf(runDirectory)).AbsoluteUri,
            LifecycleStage.Active);
        // A creation that fails midway (a full disk) removes the run: a half-made one would stay
        // RUNNING for ever, without the tags that let exp find and end it.
        try
        {
            WriteRunMeta(runDirectory, run);
            foreach (var folder in new[] { "metrics", "params", "artifacts" })
            {
                Directory.CreateDirectory(Path.Combine(runDirectory, folder));
            }
            _runDirectories[runId] = runDirectory;
            SetTags(runId, tags);
        }
        catch (IOException)
        {
            _runDirectories.TryRemove(runId, out _);
            Directory.Delete(runDirectory, recursive: true);
            throw;
        }
        return run;
    }

    public RunInfo GetRun(string runId) => ReadRunInfo(RunDirectory(runId));

    /// <summary>The active runs of an experiment, oldest first; a run whose meta.yaml is damaged is skipped (see <see cref="Damage"/>).</summary>
    public IReadOnlyList<RunInfo> ListRuns(string experimentId) =>
        // An experiment deleted since it was listed has no runs.
        (Directory.Exists(Path.Combine(RootDirectory, experimentId)) ? Directory.EnumerateDirectories(Path.Combine(RootDirectory, experimentId)) : [])
            .Where(directory => File.Exists(Path.Combine(directory, MetaFile)))
            .Select(directory => TryReadRun(() => ReadRunInfo(directory), out var run) ? run : null)
            .OfType<RunInfo>()
            .Where(run => run.LifecycleStage == LifecycleStage.Active && run.ExperimentId == experimentId)
            .OrderBy(run => run.StartTime)
            .ToList();

    public void UpdateRun(string runId, RunStatus status, long? endTime)
    {
        var directory = RunDirectory(runId);
        WriteRunMeta(directory, ReadRunInfo(directory) with { Status = status, EndTime = endTime });
    }

    /// <summary>
    /// The folder of a run. Run ids are validated first (MLflow's run id rule) because they
    /// become path segments.
    /// </summary>
    public string RunDirectory(string runId)
    {
        ValidateId("run", runId);
        return _runDirectories.GetOrAdd(runId, id =>
            Directory.EnumerateDirectories(RootDirectory)
                .Where(directory => !Path.GetFileName(directory).StartsWith('.'))
                .Select(directory => Path.Combine(directory, id))
                .FirstOrDefault(directory => File.Exists(Path.Combine(directory, MetaFile)))
            ?? throw new KeyNotFoundException($"Run '{id}' does not exist in {RootDirectory}."));
    }

    private static void WriteRunMeta(string runDirectory, RunInfo run) =>
        // Exactly the fields MLflow's _make_persisted_run_info_dict writes, including the legacy ones.
        MetaYaml.Write(runDirectory, new Dictionary<string, object?>
        {
            ["artifact_uri"] = run.ArtifactUri,
            ["deleted_time"] = null,
            ["end_time"] = run.EndTime,
            ["entry_point_name"] = "",
            ["experiment_id"] = run.ExperimentId,
            ["lifecycle_stage"] = run.LifecycleStage,
            ["run_id"] = run.RunId,
            ["run_name"] = run.RunName,
            ["run_uuid"] = run.RunId,
            ["source_name"] = "",
            ["source_type"] = LocalSourceType,
            ["source_version"] = "",
            ["start_time"] = run.StartTime,
            ["status"] = (int)run.Status,
            ["tags"] = MetaYaml.EmptyList.Instance,
            ["user_id"] = run.UserId,
        });

    private static RunInfo ReadRunInfo(string runDirectory)
    {
        var path = Path.Combine(runDirectory, MetaFile);
        try
        {
            var meta = MetaYaml.Read(path);
            var status = OptionalLong(meta, "status") ?? (long)RunStatus.Running;
            return new RunInfo(
                meta.GetValueOrDefault("run_id") ?? Required(meta, "run_uuid", path),
                Required(meta, "experiment_id", path),
                meta.GetValueOrDefault("run_name") ?? "",
                meta.GetValueOrDefault("user_id") ?? "",
                Enum.IsDefined((RunStatus)status) ? (RunStatus)status : throw new InvalidDataException($"status {status} is not one of MLflow's run statuses"),
                OptionalLong(meta, "start_time") ?? 0,
                OptionalLong(meta, "end_time"),
                meta.GetValueOrDefault("artifact_uri") ?? "",
                meta.GetValueOrDefault("lifecycle_stage") ?? LifecycleStage.Active);
        }
        catch (Exception unreadable) when (unreadable is not (IOException or UnauthorizedAccessException))
        {
            // Whatever the YAML parser or the fields make of a damaged file (YamlDotNet also
            // throws InvalidOperationException on some malformed input); the machine's own
            // problems (I/O, permissions) are not damage of the run and go up as they are.
            throw new DamagedRunException(path, $"not a run's meta.yaml ({unreadable.Message})", unreadable);
        }
    }

    // ---- params, tags, metrics ----

    public void LogParams(string runId, IEnumerable<Param> parameters)
    {
        var runDirectory = RunDirectory(runId);
        var directory = Path.Combine(runDirectory, "params");
        foreach (var param in parameters)
        {
            TrackingKeys.ValidateParam(param.Key, param.Value);
            var path = KeyPath(directory, param.Key);
            var value = TrackingTarget.RedactUserInfo(param.Value);
            if (File.Exists(path))
            {
                var current = File.ReadAllText(path);
                if (current != value)
                {
                    throw new InvalidOperationException(
                        $"Changing param values is not allowed. Param '{param.Key}' was already logged with value '{current}' for run '{runId}'; attempted '{value}'.");
                }
                continue;
            }
            AtomicFile.WriteAllText(path, value, runDirectory);
        }
    }

    public void SetTags(string runId, IEnumerable<RunTag> tags)
    {
        var runDirectory = RunDirectory(runId);
        foreach (var tag in tags)
        {
            TrackingKeys.ValidateTag(tag.Key, tag.Value);
            // A URI's user:password is never written (an override tracking.uri=http://alice:secret@host, say).
            AtomicFile.WriteAllText(KeyPath(Path.Combine(runDirectory, "tags"), tag.Key), TrackingTarget.RedactUserInfo(tag.Value), runDirectory);
            if (tag.Key == MlflowTags.RunName)
            {
                // MLflow keeps the run name in meta.yaml and in the tag in step.
                var run = ReadRunInfo(runDirectory);
                if (run.RunName != tag.Value)
                {
                    WriteRunMeta(runDirectory, run with { RunName = tag.Value });
                }
            }
        }
    }

    /// <summary>Appends metric values; values of one key are written in one append.</summary>
    public void LogMetrics(string runId, IEnumerable<Metric> metrics)
    {
        var directory = Path.Combine(RunDirectory(runId), "metrics");
        foreach (var group in metrics.GroupBy(metric => metric.Key))
        {
            TrackingKeys.Validate("metric", group.Key);
            MetricFile.Append(KeyPath(directory, group.Key), group);
        }
    }

    /// <summary>Appends values whose keys the caller has validated (a run recorder checks each key once).</summary>
    internal void AppendValidatedMetrics(string runId, IEnumerable<Metric> metrics)
    {
        var directory = Path.Combine(RunDirectory(runId), "metrics");
        foreach (var group in metrics.GroupBy(metric => metric.Key))
        {
            MetricFile.Append(KeyPath(directory, group.Key), group);
        }
    }

    /// <summary>
    /// The complete values of a metric after byte <paramref name="offset"/> of its file, and the
    /// offset just past them: a reader that keeps the offset reads each value once, however long
    /// the history grows. Null when the file no longer ends a line at <paramref name="offset"/>
    /// (it was shortened or rewritten): the caller reads the whole history instead.
    /// </summary>
    public MetricTail? GetMetricHistoryAfter(string runId, string key, long offset)
    {
        TrackingKeys.Validate("metric", key);
        var path = KeyPath(Path.Combine(RunDirectory(runId), "metrics"), key);
        return File.Exists(path) ? MetricFile.ReadAfter(key, path, offset) : offset == 0 ? new MetricTail([], 0) : null;
    }

    public IReadOnlyDictionary<string, string> GetParams(string runId) => ReadKeyFiles(Path.Combine(RunDirectory(runId), "params"));

    /// <summary>One param's value, null if it was never logged: reads one file where <see cref="GetParams"/> reads them all.</summary>
    public string? GetParam(string runId, string key)
    {
        TrackingKeys.Validate("parameter", key);
        var path = KeyPath(Path.Combine(RunDirectory(runId), "params"), key);
        return File.Exists(path) ? ReadKeyFile(path) : null;
    }

    public IReadOnlyDictionary<string, string> GetTags(string runId) => ReadKeyFiles(Path.Combine(RunDirectory(runId), "tags"));

    public IReadOnlyList<string> GetMetricKeys(string runId) => ListKeys(Path.Combine(RunDirectory(runId), "metrics"));

    /// <summary>All complete values of a metric in file order; empty if it was never logged.</summary>
    public IReadOnlyList<Metric> GetMetricHistory(string runId, string key)
    {
        TrackingKeys.Validate("metric", key);
        var path = KeyPath(Path.Combine(RunDirectory(runId), "metrics"), key);
        return File.Exists(path) ? MetricFile.Read(key, path) : [];
    }

    /// <summary>
    /// A lock held while a process writes a run (null if another process holds it), so that
    /// repairs never cut a line a living writer is in the middle of.
    /// </summary>
    public IDisposable? TryLockRunForWriting(string runId) => FileLock.TryAcquire(Path.Combine(RunDirectory(runId), WriterLockFile));

    /// <summary>Repairs the run unless a process is writing it; returns whether it did.</summary>
    public bool RepairRunIfIdle(string runId)
    {
        using var writer = TryLockRunForWriting(runId);
        if (writer is null)
        {
            return false;
        }
        RepairRun(runId);
        return true;
    }

    /// <summary>Cuts partial last lines left by a killed writer; returns the keys repaired.</summary>
    public IReadOnlyList<string> RepairRun(string runId)
    {
        var directory = Path.Combine(RunDirectory(runId), "metrics");
        return ListKeys(directory).Where(key => MetricFile.RepairPartialLastLine(KeyPath(directory, key))).ToList();
    }

    /// <summary>
    /// Removes metric values logged after <paramref name="lastStep"/>, so that a trial resumed
    /// from the checkpoint of that step logs each later step once. Returns, per key, how many
    /// values remain.
    /// </summary>
    public IReadOnlyDictionary<string, int> DeleteMetricsAfterStep(string runId, long lastStep)
    {
        var runDirectory = RunDirectory(runId);
        var directory = Path.Combine(runDirectory, "metrics");
        return ListKeys(directory).ToDictionary(key => key, key => MetricFile.DropStepsAfter(key, KeyPath(directory, key), lastStep, runDirectory));
    }

    /// <summary>
    /// Removes the images (with their previews) logged at a step after <paramref name="lastStep"/>,
    /// so that a trial resumed from the checkpoint of that step logs each later picture once;
    /// returns how many were removed. Images already on a server stay there.
    /// </summary>
    public int DeleteImagesAfterStep(string runId, long lastStep)
    {
        var removed = 0;
        foreach (var path in ListArtifacts(runId))
        {
            if (ImageArtifactNames.TryParse(path, out _, out var step) && step > lastStep)
            {
                File.Delete(ArtifactFilePath(runId, path));
                File.Delete(ArtifactFilePath(runId, path[..^".png".Length] + ImageArtifactNames.PreviewSuffix));
                removed++;
            }
        }
        return removed;
    }

    // ---- artifacts ----

    public string ArtifactDirectory(string runId) => ArtifactDirectoryOf(RunDirectory(runId));

    /// <summary>Where the artifacts of the run in <paramref name="runDirectory"/> are (MLflow's file store: its artifacts/ folder).</summary>
    public static string ArtifactDirectoryOf(string runDirectory) => Path.Combine(runDirectory, "artifacts");

    public void WriteArtifact(string runId, string artifactPath, byte[] content) =>
        AtomicFile.WriteAllBytes(ArtifactFilePath(runId, artifactPath), content, RunDirectory(runId));


    /// <summary>Artifact paths of a run, relative to its artifact root, with '/' separators.</summary>
    public IReadOnlyList<string> ListArtifacts(string runId)
    {
        var root = ArtifactDirectory(runId);
        return Directory.Exists(root)
            ? Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                .Select(file => Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/'))
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];
    }

    private string ArtifactFilePath(string runId, string artifactPath)
    {
        if (artifactPath.Split('/').Any(segment => segment is "" or "." or "..") || Path.IsPathRooted(artifactPath))
        {
            throw new ArgumentException($"Invalid artifact path '{artifactPath}': it must be relative, with no empty, '.' or '..' segments.");
        }
        return Path.Combine(ArtifactDirectory(runId), artifactPath.Replace('/', Path.DirectorySeparatorChar));
    }

    // ---- helpers ----

    private static string KeyPath(string directory, string key) =>
        Path.Combine(directory, key.Replace('/', Path.DirectorySeparatorChar));

    private static IReadOnlyList<string> ListKeys(string directory) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
                .Select(file => Path.GetRelativePath(directory, file).Replace(Path.DirectorySeparatorChar, '/'))
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];

    private static IReadOnlyDictionary<string, string> ReadKeyFiles(string directory) =>
        ListKeys(directory).ToDictionary(key => key, key => ReadKeyFile(KeyPath(directory, key)), StringComparer.Ordinal);

    /// <summary>A param or tag value; MLflow reads them as UTF-8 text, so bytes that are not UTF-8 are damage.</summary>
    private static string ReadKeyFile(string path)
    {
        try
        {
            return File.ReadAllText(path, StrictUtf8);
        }
        catch (DecoderFallbackException notText)
        {
            throw new DamagedRunException(path, $"not UTF-8 text (byte {notText.Index} of a value MLflow reads as text)", notText);
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>MLflow's id rule (alphanumeric first, then word characters or dashes); ids become path segments.</summary>
    private static void ValidateId(string kind, string id)
    {
        if (id.Length is 0 or > 256 || !char.IsAsciiLetterOrDigit(id[0]) || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            throw new ArgumentException($"Invalid {kind} id: '{id}'.");
        }
    }

    private static string Required(Dictionary<string, string?> meta, string field, string path) =>
        meta.GetValueOrDefault(field) ?? throw new InvalidDataException($"{path} has no '{field}'.");

    private static long? OptionalLong(Dictionary<string, string?> meta, string field) =>
        meta.GetValueOrDefault(field) is { } text ? long.Parse(text, CultureInfo.InvariantCulture) : null;
}
